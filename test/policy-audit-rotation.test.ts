import { rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../src/policy/audit/audit-log.js';
import { readAuditFile } from './support/audit-file.js';
import { DIRECT_EXPOSURE_CONFIG } from './support/direct-exposure-config.js';
import { httpClient } from './support/policy.js';
import { serveHttpProcess, type HttpServeProcess } from './support/serve-process.js';
import { runCli, servers, tempDir, textOf, waitFor, waitForTools, writeConfig } from './support/toolscope-cli.js';

/**
 * Rotating the audit log of a running `toolscope serve` as logrotate does: the file is moved away, then SIGHUP. The
 * serve goes on serving, and the records after the signal go to a new `audit.jsonl`, the ones before stay in the
 * moved file.
 */

const REOPENED = '"msg":"audit log reopened"';

describe('audit log rotation', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let serve: HttpServeProcess | undefined;
  let client: Client | undefined;

  beforeEach(async () => {
    dir = await tempDir();
  });

  afterEach(async () => {
    await client?.close().catch(() => undefined);
    await serve?.stop();
    await dir?.remove();
  });

  const reopenings = () => serve!.stderr().split(REOPENED).length - 1;
  const echo = async (text: string) => textOf(await client!.callTool({ name: 'probe__echo', arguments: { text } }));
  const texts = async (path: string) => (await readAuditFile(path)).records.map((record) => record.arguments?.text);

  it.each(['fsync', 'write'] as const)('moved away, then SIGHUP: new records go to a new audit.jsonl, the serve still answers (durability %s)', async (durability) => {
    const configPath = await writeConfig(dir.path, {
      ...DIRECT_EXPOSURE_CONFIG,
      servers: { probe: servers.probe(dir.path) },
      audit: { durability },
    });
    const auditPath = join(dir.path, '.toolscope', 'audit.jsonl');
    serve = await serveHttpProcess(configPath, { logLevel: 'info' });
    client = await httpClient(serve.url);
    await waitForTools(client, ['probe__echo']);

    // Before any record (no file open yet): nothing to reopen, and the serve is not ended by the signal.
    serve.child.kill('SIGHUP');
    await waitFor(() => reopenings() === 1, 'the first reopen');
    expect(await echo('before')).toBe('before');

    await rename(auditPath, `${auditPath}.1`);
    serve.child.kill('SIGHUP');
    await waitFor(() => reopenings() === 2, 'the reopen after the rotation');
    expect(serve.alive()).toBe(true);
    // The new file exists at once (private, as at start): readers find a log, empty so far.
    expect((await stat(auditPath)).mode & 0o777).toBe(0o600);
    const empty = await runCli(['--config', configPath, 'audit', 'tail', '--json']);
    expect(empty.code, empty.stderr).toBe(0);
    expect(empty.stdout).toBe('');

    expect(await echo('after')).toBe('after');
    expect(await texts(auditPath)).toEqual(['after']);
    expect(await texts(`${auditPath}.1`)).toEqual(['before']);
    const tail = await runCli(['--config', configPath, 'audit', 'tail', '--json']);
    expect(tail.code, tail.stderr).toBe(0);
    expect(tail.stdout).toContain('"text":"after"');
    expect(serve.alive()).toBe(true);
  }, 60_000);

  it.each(['fsync', 'write'] as const)('appends racing a reopen: every acknowledged line is whole, in exactly one of the two files (durability %s)', async (durability) => {
    const path = join(dir.path, 'state', 'audit.jsonl');
    const log = await AuditLog.open(path, durability);
    const append = (n: number) => log.append({ n });
    const first = Array.from({ length: 50 }, (_, n) => append(n));
    await rename(path, `${path}.1`);
    const reopened = log.reopen();
    const second = Array.from({ length: 50 }, (_, n) => append(50 + n));
    await Promise.all([...first, reopened, ...second]);
    await log.close();
    const numbers = async (file: string) => (await readAuditFile(file)).records.map((record) => (record as { n: number }).n);
    const moved = await numbers(`${path}.1`);
    const fresh = await numbers(path);
    expect([...moved, ...fresh].sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, n) => n));
    // Lines appended after the reopen was asked for never go to the moved file.
    expect(moved.every((n) => n < 50)).toBe(true);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('a new file that cannot be opened: the reopen fails, and the log goes on writing where it did', async () => {
    const folder = join(dir.path, 'state');
    const path = join(folder, 'audit.jsonl');
    const log = await AuditLog.open(path);
    await log.append({ n: 1 });
    await rename(folder, `${folder}.moved`);
    // Where the folder was, a file: nothing can be created under it.
    await writeFile(folder, 'not a folder');
    await expect(log.reopen()).rejects.toThrow();
    await log.append({ n: 2 });
    await log.close();
    expect((await readAuditFile(join(`${folder}.moved`, 'audit.jsonl'))).records).toEqual([{ n: 1 }, { n: 2 }]);
  });
});
