import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult, Progress } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusJson } from '../src/cli/commands/status.js';
import { runCli, servers, tempDir, textOf, waitFor, waitForTools, writeConfig } from './support/toolscope-cli.js';
import { serveHttpProcess, type HttpServeProcess } from './support/serve-process.js';

interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly body: Record<string, unknown>;
}

/** A real HTTP receiver on a free loopback port that records each POST and answers `status`. */
async function webhookReceiver(status: number): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    req.on('end', () => {
      received.push({ headers: req.headers, body: JSON.parse(text) as Record<string, unknown> });
      res.writeHead(status).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hooks/approvals`, received, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const HOOK_SECRET = 'hook-secret-0123456789';
const SECRET_ARGUMENT = 'sk-abcdefghijklmnopqrstuvwxyz012345';

describe('a call waiting for approval is noticed', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  const running: HttpServeProcess[] = [];
  const clients: Client[] = [];

  beforeAll(async () => {
    dir = await tempDir();
  });
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await Promise.all(running.map((serve) => serve.stop()));
    await dir?.remove();
  });

  const start = async (name: string, webhook: unknown) => {
    const configPath = await writeConfig(
      dir.path,
      {
        exposure: { mode: 'all' },
        retrieval: { retriever: 'bm25' },
        servers: { everything: servers.everything() },
        approval: { required: ['everything:echo'], timeoutSeconds: 60, webhook },
      },
      `${name}.json`,
    );
    const serve = await serveHttpProcess(configPath, { env: { ...process.env, HOOK_SECRET } });
    running.push(serve);
    const client = new Client({ name: 'approval-notice-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(serve.url)));
    clients.push(client);
    await waitForTools(client, ['everything__echo']);
    return { configPath, serve, client };
  };

  it('logs it, shows it in status, posts the webhook and tells the waiting client by progress until approved', async () => {
    const receiver = await webhookReceiver(204);
    try {
      const { configPath, serve, client } = await start('notice', { url: receiver.url, headers: { 'x-hook-secret': '${env:HOOK_SECRET}' } });
      const progress: Progress[] = [];
      const call = client.callTool({ name: 'everything__echo', arguments: { message: `deploy with ${SECRET_ARGUMENT}` } }, undefined, {
        onprogress: (update) => progress.push(update),
        timeout: 60_000,
      }) as Promise<CallToolResult>;

      // The webhook: who wants what, arguments redacted as in the audit, how to answer; its secret header expanded.
      const hook = await waitFor(() => receiver.received[0], 'the webhook POST');
      const id = hook.body.id as string;
      expect(id).toMatch(/^[0-9a-f]{10}$/);
      expect(hook.headers['content-type']).toBe('application/json');
      expect(hook.headers['x-hook-secret']).toBe(HOOK_SECRET);
      expect(hook.body).toMatchObject({
        event: 'approval.waiting',
        principal: 'local',
        tool: 'everything__echo',
        server: 'everything',
        rule: 'approval.required[0]: everything:echo',
        arguments: { message: 'deploy with [redacted]' },
        // With the config named: the command works from any folder.
        approve: `toolscope --config ${configPath} approvals approve ${id}`,
        deny: `toolscope --config ${configPath} approvals deny ${id}`,
      });

      // The log: a warning naming principal, tool, approval id and the command that answers it.
      const warning = await waitFor(
        () => serve.stderr().split('\n').find((line) => line.includes(`"approval":"${id}"`)),
        'the waiting call in the log',
      );
      expect(JSON.parse(warning)).toMatchObject({ level: 40, principal: 'local', tool: 'everything__echo', approval: id });
      expect(warning).toContain(`toolscope --config ${configPath} approvals approve ${id}`);
      expect(serve.stderr()).not.toContain(HOOK_SECRET);
      expect(serve.stderr()).not.toContain(SECRET_ARGUMENT);

      // status lists it.
      const status = await runCli(['--config', configPath, 'status']);
      expect(status.stdout).toContain('approvals: 1 call waiting');
      expect(status.stdout).toMatch(new RegExp(`${id}\\s+local\\s+everything__echo\\s+\\d+ s\\s+\\d+ s`));
      // status --json too, for monitoring: who waits for what since when, without the arguments.
      const statusJson = await runCli(['--config', configPath, 'status', '--json']);
      const reported = JSON.parse(statusJson.stdout) as StatusJson;
      expect(reported.serves).toHaveLength(1);
      expect(reported.approvals).toEqual({
        waiting: [
          {
            id,
            callId: expect.any(String),
            principal: 'local',
            tool: 'everything__echo',
            server: 'everything',
            rule: 'approval.required[0]: everything:echo',
            requestedAt: expect.any(String),
            expiresAt: expect.any(String),
            waiter: { host: expect.any(String), pid: reported.serves[0]!.pid, instance: expect.any(String) },
          },
        ],
        orphaned: [],
      });
      expect(statusJson.stdout).not.toContain('deploy with');

      // Progress at once and every few seconds while it waits.
      await waitFor(() => progress.length >= 2 || undefined, 'two progress notifications', 20_000);
      expect(progress[0]!.message).toContain(`waiting for approval ${id}`);
      expect(progress[0]!.total).toBeGreaterThan(55);
      expect(progress[1]!.progress).toBeGreaterThan(progress[0]!.progress);

      expect((await runCli(['--config', configPath, 'approvals', 'approve', id])).code).toBe(0);
      expect(textOf(await call)).toBe(`Echo: deploy with ${SECRET_ARGUMENT}`);
      const progressed = progress.length;
      await new Promise((resolve) => setTimeout(resolve, 6_000));
      expect(progress.length).toBe(progressed);
      expect((await runCli(['--config', configPath, 'status'])).stdout).toContain('approvals: no calls are waiting');
      expect((JSON.parse((await runCli(['--config', configPath, 'status', '--json'])).stdout) as StatusJson).approvals).toEqual({ waiting: [], orphaned: [] });
      expect(receiver.received).toHaveLength(1);
    } finally {
      await receiver.close();
    }
  });

  it('a webhook that fails or cannot be reached is logged and holds up nothing', async () => {
    const failing = await webhookReceiver(500);
    const gone = await webhookReceiver(204);
    await gone.close();
    try {
      for (const [name, url, logged] of [
        ['failing', failing.url, 'approval webhook answered 500'],
        ['unreachable', gone.url, 'approval webhook failed'],
      ] as const) {
        const { configPath, serve, client } = await start(name, url);
        const call = client.callTool({ name: 'everything__echo', arguments: { message: name } }) as Promise<CallToolResult>;
        const line = await waitFor(() => serve.stderr().split('\n').find((candidate) => candidate.includes(logged)), `"${logged}" in the log`);
        const id = (JSON.parse(line) as { approval: string }).approval;
        expect(line).toContain(`"webhook":"${new URL(url).origin}"`);
        expect((await runCli(['--config', configPath, 'approvals', 'approve', id])).code).toBe(0);
        expect(textOf(await call)).toBe(`Echo: ${name}`);
      }
      expect(failing.received).toHaveLength(1);
    } finally {
      await failing.close();
    }
  });

  it('refuses a webhook that is not an http(s) URL, naming the key', async () => {
    const configPath = await writeConfig(dir.path, { servers: {}, approval: { webhook: 'ftp://example.com/hook' } }, 'bad.json');
    const result = await runCli(['--config', configPath, 'status']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('approval.webhook.url');
    expect(result.stderr).toContain('must be an http:// or https:// URL');
  });
});
