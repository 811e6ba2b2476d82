import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditRecords, httpClient, startHttpGateway } from './support/policy.js';
import { runCli, servers, tempDir, waitFor, waitForTools } from './support/toolscope-cli.js';

/**
 * A call cancelled while it waits for approval was cancelled, not refused: the audit log says `cancelled`, with who
 * cancelled it in the approve stage's decision, as for a forwarded call its client cancels (policy-approval and
 * forwarding-errors tests); the metrics count it as cancelled too. A stop cancelling the wait: server-graceful-stop.
 */
describe('a call whose client cancels it while it waits for approval', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let files: string;
  let gateway: Awaited<ReturnType<typeof startHttpGateway>>;
  let client: Client;

  beforeAll(async () => {
    dir = await tempDir();
    files = join(dir.path, 'files');
    await mkdir(files);
    gateway = await startHttpGateway(dir.path, {
      servers: { filesystem: servers.filesystem(files) },
      exposure: { mode: 'all' },
      approval: { timeoutSeconds: 60 },
    });
    client = await httpClient(gateway.url);
    await waitForTools(client, ['filesystem__write_file']);
  });

  afterAll(async () => {
    await client?.close();
    await gateway?.close();
    await dir?.remove();
  });

  it('is audited and counted as cancelled by the client, not as refused ("denied by cancelled"), and leaves the queue', async () => {
    const configPath = join(dir.path, 'toolscope.json');
    const cancel = new AbortController();
    const target = join(files, 'cancelled.txt');
    const call = client.callTool({ name: 'filesystem__write_file', arguments: { path: target, content: 'x' } }, undefined, { signal: cancel.signal });
    call.catch(() => undefined);
    const id = await waitFor(async () => {
      const listed = JSON.parse((await runCli(['--config', configPath, 'approvals', 'list', '--json'])).stdout) as Array<{ id: string }>;
      return listed[0]?.id;
    }, 'the queued request');
    cancel.abort('the user gave up');
    await expect(call).rejects.toThrow();

    const record = await waitFor(async () => (await auditRecords(dir.path)).find((line) => line.tool === 'filesystem__write_file'), 'the audit line of the call');
    expect(record.outcome).toBe('cancelled');
    expect(record.refusal).toBeUndefined();
    const approve = (record.decisions as Array<{ stage: string; outcome: string; reason?: string }>).find((decision) => decision.stage === 'approve');
    expect(approve).toEqual({
      stage: 'approve',
      outcome: 'cancelled',
      reason: expect.stringMatching(new RegExp(`^cancelled by the client after \\d+\\.\\d s waiting for approval via queue ${id}$`)),
    });
    const metrics = await gateway.gateway.metrics.registry.metrics();
    expect(metrics).toContain('toolscope_calls_total{server="filesystem",outcome="cancelled"} 1');
    expect(metrics).not.toMatch(/toolscope_calls_total\{server="filesystem",outcome="refused"\}/);
    await waitFor(async () => ((await readdir(join(dir.path, '.toolscope', 'approvals'))).length === 0 ? true : undefined), 'the request files removed');
  });
});
