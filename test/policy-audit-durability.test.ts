import { once } from 'node:events';
import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readAuditFile, type AuditFile } from './support/audit-file.js';
import { newBearerToken, tokenHash } from './support/bearer.js';
import { DIRECT_EXPOSURE_CONFIG } from './support/direct-exposure-config.js';
import { runCli, servers, tempDir, textOf, waitForTools, writeConfig } from './support/toolscope-cli.js';
import { connectHttpClient, serveHttpProcess, type HttpServeProcess } from './support/serve-process.js';

/**
 * The audit log after toolscope dies without warning. A call is acknowledged (its answer sent) only once its audit
 * line is written and fsynced (or, with `audit.durability: "write"`, written to the kernel, which a crash of the
 * process does not lose either), so a SIGKILL can lose no acknowledged record. Readers take whole lines only: a line
 * torn by a crash mid-write is ignored by `toolscope audit tail`, and the next toolscope to write cuts it off before
 * appending, so the file is clean JSONL again.
 */

const PRINCIPAL = 'burster';
const TOKEN = newBearerToken();
const CLIENTS = 8;
/** Acknowledged calls to wait for before the kill: the burst is well under way, with calls still in flight. */
const ACKNOWLEDGED_BEFORE_KILL = 300;
const CALL_TIMEOUT_MS = 10_000;

interface Burst {
  readonly acknowledged: Set<string>;
  /** Answers that came back but were not the echo (a failing pipeline, not the kill). */
  readonly wrong: string[];
  /** Calls sent but not answered when the process was killed. */
  readonly inFlightAtKill: number;
}

/** Clients call echo as fast as they can; once enough answers are in, the server is SIGKILLed mid-burst. */
async function burstThenKill(serve: HttpServeProcess, clients: readonly Client[]): Promise<Burst> {
  const acknowledged = new Set<string>();
  const wrong: string[] = [];
  let issued = 0;
  let inFlight = 0;
  let inFlightAtKill = -1;
  let killed = false;
  const exited = once(serve.child, 'exit');
  const work = async (client: Client) => {
    while (!killed) {
      const message = `burst-${issued++}`;
      inFlight += 1;
      try {
        const result = await client.callTool({ name: 'everything__echo', arguments: { message } }, undefined, { timeout: CALL_TIMEOUT_MS });
        if (textOf(result) === `Echo: ${message}`) acknowledged.add(message);
        else wrong.push(`${message}: ${textOf(result).slice(0, 200)}`);
      } catch {
        // Calls cut off by the kill fail; they were never acknowledged.
      } finally {
        inFlight -= 1;
      }
      if (!killed && acknowledged.size >= ACKNOWLEDGED_BEFORE_KILL) {
        killed = true;
        inFlightAtKill = inFlight;
        serve.child.kill('SIGKILL');
      }
    }
  };
  await Promise.all(clients.map(work));
  await exited;
  return { acknowledged, wrong, inFlightAtKill };
}

function messagesIn(file: AuditFile): Set<unknown> {
  return new Set(file.records.map((record) => record.arguments?.message));
}

describe('audit durability across a crash', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let configPath: string;
  let auditPath: string;
  const running: HttpServeProcess[] = [];
  const clients: Client[] = [];

  async function start(): Promise<HttpServeProcess> {
    const serve = await serveHttpProcess(configPath);
    running.push(serve);
    return serve;
  }

  async function connect(serve: HttpServeProcess, count: number): Promise<Client[]> {
    const connected: Client[] = [];
    for (let i = 0; i < count; i += 1) connected.push(await connectHttpClient(serve.url, TOKEN, `burst-${i}`));
    clients.push(...connected);
    await waitForTools(connected[0]!, ['everything__echo']);
    return connected;
  }

  async function writeBurstConfig(durability: 'fsync' | 'write'): Promise<void> {
    configPath = await writeConfig(dir.path, {
      ...DIRECT_EXPOSURE_CONFIG,
      servers: { everything: servers.everything() },
      principals: { [PRINCIPAL]: { allow: ['everything:echo'], tokenHashes: [tokenHash(TOKEN)] } },
      audit: { enabled: true, durability },
    });
  }

  beforeEach(async () => {
    dir = await tempDir();
    await writeBurstConfig('fsync');
    auditPath = join(dir.path, '.toolscope', 'audit.jsonl');
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close().catch(() => undefined)));
    for (const serve of running.splice(0)) await serve.stop();
    await dir?.remove();
  });

  it.each(['fsync', 'write'] as const)('SIGKILL during a burst of calls (durability %s): after restart the audit log parses cleanly and holds every acknowledged call', async (durability) => {
    await writeBurstConfig(durability);
    const first = await start();
    const burst = await burstThenKill(first, await connect(first, CLIENTS));
    expect(burst.wrong).toEqual([]);
    expect(burst.acknowledged.size).toBeGreaterThanOrEqual(ACKNOWLEDGED_BEFORE_KILL);
    expect(burst.inFlightAtKill, 'the kill must land while calls are in flight').toBeGreaterThan(0);

    // Right after the crash: every whole line is JSON and every acknowledged call is there.
    const afterCrash = await readAuditFile(auditPath);
    const recorded = messagesIn(afterCrash);
    const lost = [...burst.acknowledged].filter((message) => !recorded.has(message));
    expect(lost, `${lost.length} acknowledged calls have no audit record`).toEqual([]);

    console.log(
      `audit durability ${durability}: SIGKILL after ${burst.acknowledged.size} acknowledged calls with ${burst.inFlightAtKill} in flight; ` +
        `${afterCrash.records.length} records on disk, torn tail ${afterCrash.tornTail.length} bytes, 0 acknowledged lost`,
    );
    // The admin's reader agrees.
    const tail = await runCli(['--config', configPath, 'audit', 'tail', '-n', '100000', '--json']);
    expect(tail.code, tail.stderr).toBe(0);
    const tailed = tail.stdout.trim().split('\n').map((line) => JSON.parse(line) as { arguments?: { message?: string } });
    expect(tailed).toHaveLength(afterCrash.records.length);

    // Restarted, toolscope keeps appending to the same log, which stays clean and complete.
    const second = await start();
    const [client] = await connect(second, 1);
    expect(textOf(await client!.callTool({ name: 'everything__echo', arguments: { message: 'after-restart' } }))).toBe('Echo: after-restart');
    const afterRestart = await readAuditFile(auditPath);
    expect(afterRestart.tornTail).toBe('');
    const recordedAfter = messagesIn(afterRestart);
    expect([...burst.acknowledged].filter((message) => !recordedAfter.has(message))).toEqual([]);
    expect(recordedAfter.has('after-restart')).toBe(true);
    const callIds = afterRestart.records.map((record) => record.callId);
    expect(new Set(callIds).size, 'no record is written twice').toBe(callIds.length);
  }, 120_000);

  it('a line torn by a crash mid-write is skipped by `audit tail` and cut off before the next record is appended', async () => {
    const first = await start();
    const [client] = await connect(first, 1);
    for (const message of ['before-1', 'before-2', 'before-3']) {
      await client!.callTool({ name: 'everything__echo', arguments: { message } });
    }
    first.child.kill('SIGKILL');
    await once(first.child, 'exit');
    // What a crash between write() and the end of the line leaves: a record without its end.
    const torn = '{"time":"2026-01-01T00:00:00.000Z","callId":"torn-record","principal":"burster","tool":"everything__ec';
    await appendFile(auditPath, torn);
    expect((await readAuditFile(auditPath)).tornTail).toBe(torn);

    const tail = await runCli(['--config', configPath, 'audit', 'tail', '-n', '100', '--json']);
    expect(tail.code, tail.stderr).toBe(0);
    expect(tail.stdout).not.toContain('torn-record');
    const tailed = tail.stdout.trim().split('\n').map((line) => JSON.parse(line) as { arguments?: { message?: string } });
    expect(tailed.map((record) => record.arguments?.message)).toEqual(['before-1', 'before-2', 'before-3']);

    const second = await start();
    const [after] = await connect(second, 1);
    await after!.callTool({ name: 'everything__echo', arguments: { message: 'after-restart' } });
    const clean = await readAuditFile(auditPath);
    expect(clean.tornTail).toBe('');
    expect(JSON.stringify(clean.records)).not.toContain('torn-record');
    expect(clean.records.map((record) => record.arguments?.message)).toEqual(['before-1', 'before-2', 'before-3', 'after-restart']);
  }, 120_000);
});
