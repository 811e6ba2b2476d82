import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, textOf, waitFor, waitForTools, writeConfig } from './support/toolscope-cli.js';
import {
  faultyServer,
  isAlive,
  residentBytes,
  serveStdio,
  waitForReady,
  type ServedToolscope,
} from './support/stdio-gateway.js';

// Generous: the shared CI machine may be slow to run even a tool that exits at once.
const TIMEOUT_MS = 8_000;
const HEAP_CAP_MB = 160;

describe('downstream faults (real child processes behind toolscope serve)', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let stateDir: string;
  let served: ServedToolscope;
  /** Every tools/call this test made, for the audit check at the end. */
  let calls = 0;

  const call = async (name: string, args: Record<string, unknown> = {}): Promise<CallToolResult> => {
    calls++;
    return (await served.client.callTool({ name, arguments: args }, undefined, { timeout: 60_000 })) as CallToolResult;
  };
  const steadyAnswers = async () => {
    const result = await call('steady__echo', { text: 'still here' });
    expect(result.isError).toBeFalsy();
    expect(textOf(result)).toBe('still here');
  };

  beforeAll(async () => {
    dir = await tempDir();
    stateDir = join(dir.path, '.toolscope');
    const configPath = await writeConfig(dir.path, {
      exposure: { mode: 'all' },
      servers: { faulty: faultyServer({ timeoutMs: TIMEOUT_MS }), steady: faultyServer(), noisy: faultyServer() },
    });
    served = await serveStdio(configPath, { nodeArgs: [`--max-old-space-size=${HEAP_CAP_MB}`] });
    await waitForTools(served.client, ['faulty__echo', 'steady__echo', 'noisy__flood']);
  });

  afterAll(async () => {
    await served?.close();
    await dir?.remove();
  });

  it('a server that crashes mid-call: the caller gets an error naming the server and the exit; it is restarted', async () => {
    const before = await waitForReady(stateDir, 'faulty');
    const result = await call('faulty__crash');
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/^server "faulty" failed: the server process exited with code 3 \(stderr: crashing on purpose\)/);
    await steadyAnswers();
    const after = await waitForReady(stateDir, 'faulty', (status) => status.pid !== before.pid);
    expect(after.restarts).toBe(before.restarts + 1);
    expect(textOf(await call('faulty__echo', { text: 'back' }))).toBe('back');
  });

  it('a server that hangs: the call times out, the unresponsive child is killed (it ignores SIGTERM) and replaced', async () => {
    const before = await waitForReady(stateDir, 'faulty');
    const hung = call('faulty__hang');
    // The other server answers while the call hangs.
    await steadyAnswers();
    const result = await hung;
    expect(result.isError).toBe(true);
    expect(textOf(result)).toBe(
      `server "faulty" failed: no answer within ${TIMEOUT_MS} ms (timeoutMs); the call was cancelled; ` +
        'the server did not answer a ping either and is being restarted (restartWhenHung)',
    );
    await waitFor(() => !isAlive(before.pid!), `the hung child ${before.pid} to be killed`, 15_000);
    const after = await waitForReady(stateDir, 'faulty', (status) => status.pid !== before.pid);
    expect(after.restarts).toBe(before.restarts + 1);
    expect(after.lastError).toMatch(/no answer within/);
    expect(textOf(await call('faulty__echo', { text: 'fresh' }))).toBe('fresh');
  });

  it('a call that times out on a server still answering pings fails alone: the server is kept', async () => {
    const before = await waitForReady(stateDir, 'faulty');
    const result = await call('faulty__stall');
    expect(result.isError).toBe(true);
    expect(textOf(result)).toBe(`server "faulty" failed: no answer within ${TIMEOUT_MS} ms (timeoutMs); the call was cancelled`);
    expect(textOf(await call('faulty__echo', { text: 'same child' }))).toBe('same child');
    const after = await waitForReady(stateDir, 'faulty');
    expect(after.pid).toBe(before.pid);
    expect(after.restarts).toBe(before.restarts);
  });

  it('garbage on stdout is skipped: the call is answered on the same connection', async () => {
    const before = await waitForReady(stateDir, 'faulty');
    const result = await call('faulty__garbage', { lines: 500 });
    expect(result.isError).toBeFalsy();
    expect(textOf(result)).toBe('answered after 500 garbage lines');
    expect(textOf(await call('faulty__echo', { text: 'unharmed' }))).toBe('unharmed');
    const after = await waitForReady(stateDir, 'faulty');
    expect(after.pid).toBe(before.pid);
    expect(after.restarts).toBe(before.restarts);
  });

  it('a slow server answers correctly, and a call to another server overtakes it', async () => {
    await waitForReady(stateDir, 'faulty');
    const order: string[] = [];
    const slow = call('faulty__slow', { ms: 3_000 }).then((result) => {
      order.push('slow');
      return result;
    });
    await steadyAnswers();
    order.push('steady');
    expect(textOf(await slow)).toBe('slept 3000');
    expect(order).toEqual(['steady', 'slow']);
  });

  it('a notification flood is answered and toolscope memory stays bounded', async () => {
    const noisy = await waitForReady(stateDir, 'noisy');
    const count = 30_000;
    const bytes = 2_048;
    const resident: number[] = [];
    // Three floods of ~60 MiB each through a toolscope whose heap is capped at HEAP_CAP_MB: buffering them would
    // crash it, and a leak would show as growth from one flood to the next.
    for (let round = 0; round < 3; round++) {
      const result = await call('noisy__flood', { count, bytes });
      expect(textOf(result)).toBe(`sent ${count} notifications`);
      resident.push(await residentBytes(served.pid));
    }
    expect(resident[2]! - resident[0]!).toBeLessThan(32 * 1024 * 1024);
    await steadyAnswers();
    expect(textOf(await call('noisy__echo', { text: 'after the flood' }))).toBe('after the flood');
    expect((await waitForReady(stateDir, 'noisy')).pid).toBe(noisy.pid);
  });

  it('no audit record is lost: exactly one per call, each with its own id', async () => {
    const lines = (await readFile(join(stateDir, 'audit.jsonl'), 'utf8')).trim().split('\n');
    const records = lines.map((line) => JSON.parse(line) as { callId?: string; tool?: string; outcome?: string });
    const callRecords = records.filter((record) => record.callId !== undefined);
    expect(callRecords).toHaveLength(calls);
    expect(new Set(callRecords.map((record) => record.callId)).size).toBe(calls);
    const outcomes = (tool: string) => callRecords.filter((record) => record.tool === tool).map((record) => record.outcome);
    expect(outcomes('faulty__crash')).toEqual(['tool-error']);
    expect(outcomes('faulty__hang')).toEqual(['tool-error']);
    expect(outcomes('faulty__stall')).toEqual(['tool-error']);
    expect(outcomes('faulty__garbage')).toEqual(['ok']);
  });
});
