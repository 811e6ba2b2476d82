import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { createInterface } from 'node:readline';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, ROOT, runCli, servers, tempDir, textOf, waitFor, waitForTools, writeConfig } from './support/toolscope-cli.js';

interface RawResponse {
  status: number;
  body: string;
}

/** A request with headers fetch() will not let us forge (Host). */
function rawPost(url: string, headers: Record<string, string>): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers } },
      (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }));
  });
}

describe('toolscope serve --http', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let configPath: string;
  let serve: ChildProcess;
  let url: string;
  const clients: Client[] = [];

  async function connect(): Promise<Client> {
    const client = new Client({ name: 'http-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(url)));
    clients.push(client);
    return client;
  }

  beforeAll(async () => {
    dir = await tempDir();
    configPath = await writeConfig(dir.path, {
      // Direct exposure: every namespaced tool in tools/list.
      exposure: { mode: 'all' },
      servers: { everything: servers.everything(), probe: servers.probe(dir.path) },
    });
    serve = spawn(process.execPath, ['--import', 'tsx', CLI, '--config', configPath, 'serve', '--http', '127.0.0.1:0'], {
      cwd: ROOT,
      env: { ...process.env, TOOLSCOPE_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const firstLine = await new Promise<string>((resolve, reject) => {
      const lines = createInterface({ input: serve.stdout! });
      lines.once('line', resolve);
      serve.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
    });
    url = /(http:\/\/127\.0\.0\.1:\d+\/mcp)/.exec(firstLine)![1]!;
  });

  afterAll(async () => {
    for (const client of clients) await client.close();
    if (serve.exitCode === null) {
      const exited = new Promise((resolve) => serve.once('exit', resolve));
      serve.kill('SIGTERM');
      await exited;
    }
    await dir?.remove();
  });

  it('serves the SDK Streamable HTTP client: list and call', async () => {
    const client = await connect();
    await waitForTools(client, ['everything__echo', 'probe__echo']);
    expect(textOf(await client.callTool({ name: 'everything__echo', arguments: { message: 'over http' } }))).toBe(
      'Echo: over http',
    );
  });

  it('pushes tools/list_changed to HTTP sessions when a downstream adds a tool', async () => {
    const watcher = await connect();
    await waitForTools(watcher, ['probe__add_tool']);
    let notified = false;
    watcher.setNotificationHandler(ToolListChangedNotificationSchema, () => {
      notified = true;
    });
    const caller = await connect();
    await caller.callTool({ name: 'probe__add_tool', arguments: { name: 'from_http' } });
    await waitFor(() => notified, 'the notification on the other session');
    expect((await watcher.listTools()).tools.map((tool) => tool.name)).toContain('probe__from_http');
  });

  it('refuses DNS-rebinding requests: a foreign Host or Origin gets 403 with a JSON-RPC error', async () => {
    const foreignHost = await rawPost(url, { host: 'attacker.example' });
    expect(foreignHost.status).toBe(403);
    expect(JSON.parse(foreignHost.body)).toMatchObject({ jsonrpc: '2.0', error: { code: -32000 }, id: null });
    expect(JSON.parse(foreignHost.body).error.message).toContain('attacker.example');

    const foreignOrigin = await rawPost(url, { origin: 'https://attacker.example' });
    expect(foreignOrigin.status).toBe(403);

    // A loopback origin passes the check (and then fails for lacking a session, not for its origin).
    const localOrigin = await rawPost(url, { origin: 'http://localhost:6274' });
    expect(localOrigin.status).toBe(400);
  });

  it('answers unknown paths with 404, naming the paths it serves', async () => {
    const response = await rawPost(url.replace('/mcp', '/nothing-here'), {});
    expect(response.status).toBe(404);
    const { message } = (JSON.parse(response.body) as { error: { message: string } }).error;
    expect(message).toMatch(/^no route for \/nothing-here \(toolscope serves .*\/mcp/);
    expect(message).toContain('/console/');
    expect(message).not.toMatch(/\/console\/[^,)]|\/console,/);
  });

  it('publishes its state for `toolscope status` and removes it on SIGTERM', async () => {
    const status = await runCli(['--config', configPath, 'status']);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`on ${url}`);
    expect(status.stdout).toMatch(/everything\s+ready\s+stdio/);

    for (const client of clients.splice(0)) await client.close();
    const exited = new Promise<number | null>((resolve) => serve.once('exit', resolve));
    serve.kill('SIGTERM');
    expect(await exited).toBe(0);
    const after = await runCli(['--config', configPath, 'status']);
    expect(after.stdout).toContain('no toolscope serve is running');
  });
});
