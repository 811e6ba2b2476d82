import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ElicitRequestSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { STOP_GRACE_MS } from '../src/pipeline/in-flight.js';
import { readAuditFile } from './support/audit-file.js';
import { DIRECT_EXPOSURE_CONFIG } from './support/direct-exposure-config.js';
import { httpClient, refusalOf } from './support/policy.js';
import { connectStdioClient, serveHttpProcess, type HttpServeProcess } from './support/serve-process.js';
import { servers, tempDir, textOf, waitFor, waitForTools, writeConfig } from './support/toolscope-cli.js';

/**
 * `toolscope serve` stopping on SIGTERM with calls in flight: every client gets an answer before its session closes.
 * A call waiting for approval is answered at once, saying toolscope is stopping (audited as cancelled by the stop); a call that finishes within the grace
 * period gets its result; one that does not is cancelled (the downstream server is told) and answered as such.
 */

const CALL_OPTIONS = { timeout: 30_000 };

describe('a graceful stop', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let configPath: string;
  const clients: Client[] = [];
  let serve: HttpServeProcess | undefined;

  beforeEach(async () => {
    dir = await tempDir();
    configPath = await writeConfig(dir.path, {
      ...DIRECT_EXPOSURE_CONFIG,
      servers: { probe: servers.probe(dir.path) },
      // A person answers the local principal's client: asked by elicitation when its client can, queued otherwise.
      approval: { required: ['probe:echo'], timeoutSeconds: 300, humanApprovers: ['local'] },
    });
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close().catch(() => undefined)));
    await serve?.stop();
    await dir?.remove();
  });

  const call = (client: Client, name: string, args: Record<string, unknown>) =>
    client.callTool({ name, arguments: args }, undefined, CALL_OPTIONS) as Promise<CallToolResult>;

  it('over HTTP, on SIGTERM: calls waiting for approval (queued, or asked by elicitation) are refused at once saying toolscope is stopping, a running call finishes, a stuck one is cancelled; new requests get 503; exit 0', async () => {
    serve = await serveHttpProcess(configPath, { logLevel: 'info' });
    const client = await httpClient(serve.url);
    clients.push(client);
    await waitForTools(client, ['probe__echo', 'probe__sleep', 'probe__wait_for_cancel']);

    // A client whose person never answers the approval form.
    let asked = false;
    const eliciting = await httpClient(serve.url, undefined, { elicitation: {} });
    clients.push(eliciting);
    eliciting.setRequestHandler(ElicitRequestSchema, () => {
      asked = true;
      return new Promise<never>(() => undefined);
    });

    const finishing = call(client, 'probe__sleep', { ms: 3_000 });
    const stuck = call(client, 'probe__wait_for_cancel', {});
    const waiting = call(client, 'probe__echo', { text: 'needs a person' }).then((result) => ({ result, at: Date.now() }));
    const asking = call(eliciting, 'probe__echo', { text: 'asks a person' });
    await waitFor(() => serve!.stderr().includes('waits for approval'), 'the call in the approval queue');
    await waitFor(() => asked, 'the approval form at the eliciting client');

    const exited = once(serve.child, 'exit');
    const signalledAt = Date.now();
    serve.child.kill('SIGTERM');

    const refused = await waiting;
    expect(refused.result.isError).toBe(true);
    expect(textOf(refused.result)).toMatch(/toolscope is stopping/);
    expect(textOf(refused.result)).not.toMatch(/cancelled/);
    expect(refusalOf(refused.result)).toMatchObject({ stage: 'approve' });
    expect(refused.at - signalledAt, 'refused at once, not after the grace period').toBeLessThan(STOP_GRACE_MS);
    const refusedForm = await asking;
    expect(textOf(refusedForm)).toMatch(/toolscope is stopping/);
    expect(refusalOf(refusedForm)).toMatchObject({ stage: 'approve' });

    // Still within the grace period (the stuck call holds it open): nothing new is taken, with a reason.
    const initialize = await fetch(serve.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'late', version: '1.0.0' } },
      }),
    });
    expect(initialize.status).toBe(503);
    expect(await initialize.text()).toMatch(/toolscope is stopping: it takes no new sessions or requests/);
    expect((await fetch(serve.url.replace(/\/mcp$/, '/readyz'))).status).toBe(503);

    expect(textOf(await finishing)).toBe('slept 3000');
    const cancelled = await stuck;
    expect(cancelled.isError).toBe(true);
    expect(textOf(cancelled)).toMatch(/^(?:MCP error -?\d+: )?toolscope is stopping: the call did not finish within \d+ s and was cancelled/);
    // Cancelled by the stop, not failed: the server is not blamed.
    expect(textOf(cancelled)).not.toMatch(/server "probe" failed/);
    // The downstream server was told.
    expect(await readFile(join(dir.path, 'cancelled'), 'utf8')).not.toBe('');

    const [code] = await exited;
    expect(code).toBe(0);
    expect(serve.stderr()).toContain('stopping (SIGTERM): 4 calls in flight');
    expect(serve.stderr()).toMatch(/"msg":"stopped"/);

    // Each call's outcome is in the audit log: the waits for approval cancelled by the stop (nobody refused them).
    const { records } = await readAuditFile(join(dir.path, '.toolscope', 'audit.jsonl'));
    const byTool = (tool: string) => records.filter((record) => record.tool === tool);
    const waits = byTool('probe__echo');
    expect(waits).toHaveLength(2);
    for (const record of waits) {
      expect(record.outcome).toBe('cancelled');
      expect(record.refusal).toBeUndefined();
      const approve = record.decisions!.find((decision) => decision.stage === 'approve');
      expect(approve).toMatchObject({ outcome: 'cancelled', reason: expect.stringMatching(/^cancelled by toolscope's stop after \d+\.\d s waiting for approval (via queue [0-9a-f]{10}|via elicitation)$/) });
    }
    expect(byTool('probe__sleep')).toMatchObject([{ outcome: 'ok' }]);
    expect(byTool('probe__wait_for_cancel')).toMatchObject([{ outcome: 'cancelled' }]);
  }, 60_000);

  it('over stdio, on SIGTERM: the call waiting for approval is refused saying toolscope is stopping, then serve stops', async () => {
    const session = await connectStdioClient(configPath, { logLevel: 'info' });
    clients.push(session.client);
    await waitForTools(session.client, ['probe__echo']);
    const waiting = call(session.client, 'probe__echo', { text: 'needs a person' });
    await waitFor(() => session.stderr().includes('waits for approval'), 'the call in the approval queue');

    const pid = (session.client.transport as StdioClientTransport).pid!;
    process.kill(pid, 'SIGTERM');
    const refused = await waiting;
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toMatch(/toolscope is stopping/);
    expect(refusalOf(refused)).toMatchObject({ stage: 'approve' });

    await waitFor(() => session.stderr().includes('"msg":"stopped"'), 'the serve to stop');
    expect(session.stderr()).toContain('stopping (SIGTERM): 1 call in flight');
    await waitFor(() => !isRunning(pid), 'the serve process to exit');
  }, 60_000);
});

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
