import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { access, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseConfig } from '../src/config/load.js';
import type { ServerStatus } from '../src/downstream/supervisor.js';
import { createGateway, type Gateway, type GatewayOptions } from '../src/gateway.js';
import { createLogger } from '../src/log.js';
import { FAULTY, faultyServer } from './support/stdio-gateway.js';
import { ROOT, servers, tempDir, textOf, waitFor, waitForTools } from './support/toolscope-cli.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function gatewayWith(
  config: unknown,
  options: GatewayOptions = {},
): Promise<{ gateway: Gateway; probeDir: string }> {
  const dir = await tempDir();
  cleanups.push(dir.remove);
  const resolved = typeof config === 'function' ? (config as (dir: string) => unknown)(dir.path) : config;
  // Direct exposure: every namespaced tool in tools/list.
  const parsed = parseConfig({ exposure: { mode: 'all' }, ...(resolved as object) }, 'test');
  const loaded = { path: join(dir.path, 'toolscope.json'), baseDir: dir.path, config: parsed };
  const gateway = createGateway(loaded, { logger: createLogger('silent'), ...options });
  cleanups.push(() => gateway.stop());
  await gateway.start();
  return { gateway, probeDir: dir.path };
}

/** A real SDK client wired to one gateway session through the SDK's in-memory transport pair. */
async function clientOf(gateway: Gateway): Promise<Client> {
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await gateway.createSession().connect(serverSide);
  const client = new Client({ name: 'downstream-test', version: '1.0.0' });
  await client.connect(clientSide);
  cleanups.push(() => client.close());
  return client;
}

describe('downstream supervision and forwarding', () => {
  it('follows a downstream tools/list_changed and tells the client', async () => {
    const { gateway } = await gatewayWith((dir: string) => ({ servers: { probe: servers.probe(dir) } }));
    const client = await clientOf(gateway);
    await waitForTools(client, ['probe__add_tool']);
    let notified = 0;
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
      notified++;
    });

    await client.callTool({ name: 'probe__add_tool', arguments: { name: 'late_tool' } });

    await waitFor(() => notified > 0, 'tools/list_changed at the client');
    const tools = (await client.listTools()).tools.map((tool) => tool.name);
    expect(tools).toContain('probe__late_tool');
    expect(textOf(await client.callTool({ name: 'probe__late_tool', arguments: {} }))).toBe('late_tool');
  });

  it('passes a client cancellation through to the downstream server', async () => {
    const { gateway, probeDir } = await gatewayWith((dir: string) => ({ servers: { probe: servers.probe(dir) } }));
    const client = await clientOf(gateway);
    await waitForTools(client, ['probe__wait_for_cancel']);

    const abort = new AbortController();
    const call = client.callTool({ name: 'probe__wait_for_cancel', arguments: {} }, undefined, {
      signal: abort.signal,
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    abort.abort('user pressed stop');

    await expect(call).rejects.toThrow();
    await waitFor(() => access(join(probeDir, 'cancelled')).then(() => true), 'the probe to see the cancellation');
  });

  it('turns a call over the per-server timeout into a tool error naming the server', async () => {
    const { gateway } = await gatewayWith((dir: string) => ({
      servers: { probe: servers.probe(dir, { timeoutMs: 2_000 }) },
    }));
    const client = await clientOf(gateway);
    await waitForTools(client, ['probe__sleep']);

    const result = await client.callTool({ name: 'probe__sleep', arguments: { ms: 10_000 } });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toBe('server "probe" failed: no answer within 2000 ms (timeoutMs); the call was cancelled');
    // The connection itself is fine.
    expect(textOf(await client.callTool({ name: 'probe__echo', arguments: { text: 'still here' } }))).toBe('still here');
  });

  it('serves immediately while a server hangs in its handshake, which then times out into backoff', async () => {
    const hang = { command: process.execPath, args: ['-e', 'setInterval(() => {}, 1000)'], allowShell: true, timeoutMs: 1_500 };
    const started = Date.now();
    const { gateway } = await gatewayWith((dir: string) => ({ servers: { hang, probe: servers.probe(dir) } }));
    expect(Date.now() - started).toBeLessThan(1_000);

    const client = await clientOf(gateway);
    await waitForTools(client, ['probe__echo']);
    const hanging = gateway.status().servers.find((server) => server.name === 'hang')!;
    expect(['starting', 'backoff']).toContain(hanging.state);

    const down = await waitFor(
      () => gateway.status().servers.find((server) => server.name === 'hang' && server.state === 'backoff'),
      'the hanging server to give up its handshake',
    );
    // Said as a call timeout is, naming the setting; not the SDK's "MCP error -32001: Request timed out".
    expect(down.lastError).toBe('no answer to initialize within 1500 ms (timeoutMs)');
    expect(down.retryAt).toBeDefined();
  });

  it('says what a server that never answers its handshake wrote instead: stdout lines skipped, its last stderr line', async () => {
    const script = [
      "console.log('Server listening on port 3000')",
      "console.log('ready')",
      "console.error('connecting to the database...')",
      'setInterval(() => {}, 1000)',
    ].join(';');
    const { gateway } = await gatewayWith({ servers: { chatty: { command: process.execPath, args: ['-e', script], allowShell: true, timeoutMs: 5_000 } } });
    const down = await waitFor(
      () => gateway.status().servers.find((server) => server.state === 'backoff'),
      'the chatty server to give up its handshake',
    );
    expect(down.lastError).toBe(
      'no answer to initialize within 5000 ms (timeoutMs); 2 lines on stdout were not JSON-RPC and were skipped ' +
        '(the first: "Server listening on port 3000"); stderr: connecting to the database...',
    );
  });

  it('refuses a call without a principal at the authenticate stage, forwarding nothing', async () => {
    const { gateway } = await gatewayWith((dir: string) => ({ servers: { probe: servers.probe(dir) } }));
    await waitFor(() => gateway.catalog.get('probe__add_tool'), 'the probe tools');
    const call = (principal: { name: string } | undefined, name: string) =>
      gateway.pipeline({
        callId: name,
        principal,
        tool: gateway.catalog.get('probe__add_tool')!,
        arguments: { name },
        signal: new AbortController().signal,
        client: {},
        decisions: [],
        startedAt: Date.now(),
      });

    const refused = await call(undefined, 'anonymous_tool');
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toBe(
      'toolscope refused this call at the authenticate stage: the call carries no authenticated principal',
    );
    const allowed = await call({ name: 'local' }, 'local_tool');
    expect(textOf(allowed)).toBe('added local_tool');
    await waitFor(() => gateway.catalog.get('probe__local_tool'), 'the forwarded call to take effect');
    expect(gateway.catalog.get('probe__anonymous_tool')).toBeUndefined();
  });

  it('restarts a crash-looping server with growing delays, then marks it failed, keeping its last words', async () => {
    const crashing = {
      command: process.execPath,
      args: ['-e', "console.error('boom: MISSING_API_KEY is not set'); process.exit(3)"],
      allowShell: true,
    };
    const backoff = { initialDelayMs: 100, maxDelayMs: 400, maxConsecutiveFailures: 4, stableAfterMs: 60_000 };
    const { gateway } = await gatewayWith({ servers: { crashing } }, { backoff });
    const seen: Array<ServerStatus & { retryInMs?: number }> = [];
    gateway.downstream.on('state', (status) => {
      seen.push({
        ...status,
        ...(status.retryAt && { retryInMs: Date.parse(status.retryAt) - Date.now() }),
      });
    });

    // From the events: a failed server is retried (at the cap), so polling could see a later attempt.
    const failed = await waitFor(() => seen.find((status) => status.state === 'failed'), 'the server to be marked failed');
    expect(failed.restarts).toBe(3);
    expect(failed.lastError).toContain('the server process exited with code 3 (stderr: boom: MISSING_API_KEY is not set)');
    const delays = seen.filter((entry) => entry.state === 'backoff').map((entry) => entry.retryInMs!);
    expect(delays).toHaveLength(3);
    // 100, 200, 400 ms (minus the few ms between scheduling and the event).
    expect(delays[0]).toBeLessThanOrEqual(100);
    expect(delays[1]).toBeGreaterThan(100);
    expect(delays[2]).toBeGreaterThan(200);
    // Not given up: the next attempt is due at the cap.
    expect(failed.retryInMs).toBeGreaterThan(200);
    expect(failed.retryInMs).toBeLessThanOrEqual(400);
  });

  it('keeps retrying a failed server at the backoff cap, and picks it up once it works, with no config edit', async () => {
    const backoff = { initialDelayMs: 50, maxDelayMs: 500, maxConsecutiveFailures: 2, stableAfterMs: 60_000 };
    let fixed = '';
    const { gateway } = await gatewayWith(
      (dir: string) => {
        fixed = join(dir, 'fixed');
        return { servers: { flaky: faultyServer({ env: { FAULTY_FAIL_UNTIL: fixed } }) } };
      },
      { backoff },
    );
    const flaky = () => gateway.status().servers.find((server) => server.name === 'flaky')!;

    const failed = await waitFor(() => (flaky().state === 'failed' ? flaky() : undefined), 'the server to be marked failed');
    expect(failed.lastError).toContain(`the server process exited with code 1 (stderr: broken until ${fixed} exists)`);
    expect(Date.parse(failed.retryAt!) - Date.now()).toBeLessThanOrEqual(backoff.maxDelayMs);
    // Still broken: tried again at the cap, and still failed.
    await waitFor(() => flaky().restarts > failed.restarts && flaky().state === 'failed', 'another attempt at the cap');

    await writeFile(fixed, '');
    const client = await clientOf(gateway);
    await waitForTools(client, ['flaky__echo']);
    expect(flaky()).toMatchObject({ state: 'ready' });
    expect(flaky().retryAt).toBeUndefined();
    expect(textOf(await client.callTool({ name: 'flaky__echo', arguments: { text: 'back' } }))).toBe('back');
  });

  it('keeps retrying an HTTP server that was down, and picks it up once it listens', async () => {
    const port = await freePort();
    const backoff = { initialDelayMs: 50, maxDelayMs: 500, maxConsecutiveFailures: 2, stableAfterMs: 60_000 };
    const { gateway } = await gatewayWith({ servers: { remote: { url: `http://127.0.0.1:${port}/mcp` } } }, { backoff });
    const remote = () => gateway.status().servers[0]!;
    const failed = await waitFor(() => (remote().state === 'failed' ? remote() : undefined), 'the server to be marked failed');
    expect(failed.lastError).toContain(`connect ECONNREFUSED 127.0.0.1:${port}`);

    const server = spawn(process.execPath, ['--import', 'tsx', FAULTY, '--http'], {
      cwd: ROOT,
      env: { ...process.env, FAULTY_PORT: String(port) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    cleanups.push(() => stopChild(server));
    await firstLine(server);
    const client = await clientOf(gateway);
    await waitForTools(client, ['remote__echo']);
    expect(remote().state).toBe('ready');
    expect(textOf(await client.callTool({ name: 'remote__echo', arguments: { text: 'up again' } }))).toBe('up again');
  });

  it.each([
    ['Streamable HTTP', 'http', 'streamableHttp', '/mcp'],
    ['legacy SSE', 'sse', 'sse', '/sse'],
  ] as const)('reconnects a %s server that went down and came back, its old session gone', async (_, type, mode, path) => {
    const port = await freePort();
    const backoff = { initialDelayMs: 50, maxDelayMs: 500, maxConsecutiveFailures: 100, stableAfterMs: 60_000 };
    let everything = await startEverything(port, mode);
    const logLines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void logLines.push(line) });
    const { gateway } = await gatewayWith({ servers: { remote: { type, url: `http://127.0.0.1:${port}${path}` } } }, { backoff, logger });
    const remote = () => gateway.status().servers[0]!;
    const client = await clientOf(gateway);
    await waitForTools(client, ['remote__echo']);
    const echo = (message: string) => client.callTool({ name: 'remote__echo', arguments: { message } });
    expect(textOf(await echo('first'))).toBe('Echo: first');

    await stopChild(everything);
    const down = await echo('while down');
    expect(down.isError).toBe(true);
    expect(textOf(down)).toMatch(/^server "remote" failed: /);
    // Taken for lost, not left `ready` with a dead session: restarted with backoff, and said so in the log.
    const lost = await waitFor(() => (remote().state !== 'ready' ? remote() : undefined), 'the server to leave ready', 10_000);
    expect(['backoff', 'starting']).toContain(lost.state);
    await waitFor(() => remote().lastError?.includes(`ECONNREFUSED 127.0.0.1:${port}`), 'a reconnection to be refused', 10_000);
    expect(logLines.some((line) => line.includes('server connection lost'))).toBe(true);

    everything = await startEverything(port, mode);
    const back = await waitFor(
      async () => {
        const result = await echo('back');
        return result.isError ? undefined : result;
      },
      'a call to succeed on a new session',
      20_000,
    );
    expect(textOf(back)).toBe('Echo: back');
    expect(remote()).toMatchObject({ state: 'ready' });
    expect(remote().restarts).toBeGreaterThan(0);
  });

  it('starts a new session with a Streamable HTTP server that answers 404 for the old one, and takes its new tools', async () => {
    const port = await freePort();
    let server = await sessionServer(port, ['echo']);
    const { gateway } = await gatewayWith({ servers: { remote: { url: `http://127.0.0.1:${port}/mcp` } } }, {
      backoff: { initialDelayMs: 50, maxDelayMs: 500, maxConsecutiveFailures: 100, stableAfterMs: 60_000 },
    });
    const remote = () => gateway.status().servers[0]!;
    const states: string[] = [];
    gateway.downstream.on('state', (status) => void states.push(status.state));
    const client = await clientOf(gateway);
    await waitForTools(client, ['remote__echo']);
    let notified = 0;
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
      notified++;
    });
    const echo = (text: string) => client.callTool({ name: 'remote__echo', arguments: { text } });
    expect(textOf(await echo('first'))).toBe('first');

    // Restarted at once: nothing is refused, but the new process knows no session and answers 404 for the old one.
    states.length = 0;
    await server.close();
    server = await sessionServer(port, ['echo', 'shout']);
    const stale = await echo('stale session');
    expect(stale.isError).toBe(true);
    expect(textOf(stale)).toBe(`server "remote" failed: the server no longer knows toolscope's session (HTTP 404: Session not found)`);
    // Restarted as a crashed server is: through backoff.
    expect(states).toContain('backoff');

    await waitFor(() => notified > 0, 'tools/list_changed for the new tool');
    await waitForTools(client, ['remote__echo', 'remote__shout']);
    expect(textOf(await echo('new session'))).toBe('new session');
    expect(remote()).toMatchObject({ state: 'ready' });
    expect(server.sessions()).toBe(1);
  });

  it('starts a new session with a restarted Streamable HTTP server when the first request finds its connection closed', async () => {
    const port = await freePort();
    let server = await sessionServer(port, ['echo'], { keepAlive: true });
    const { gateway } = await gatewayWith({ servers: { remote: { url: `http://127.0.0.1:${port}/mcp` } } }, {
      backoff: { initialDelayMs: 50, maxDelayMs: 500, maxConsecutiveFailures: 100, stableAfterMs: 60_000 },
    });
    const client = await clientOf(gateway);
    await waitForTools(client, ['remote__echo']);
    const echo = (text: string) => client.callTool({ name: 'remote__echo', arguments: { text } });
    expect(textOf(await echo('first'))).toBe('first');

    await server.close();
    server = await sessionServer(port, ['echo'], { keepAlive: true });
    // Sent on a connection the old process closed ("other side closed"), or answered 404: either way not retried.
    const stale = await echo('stale session');
    expect(stale.isError).toBe(true);
    expect(textOf(stale)).toMatch(/^server "remote" failed: /);

    // A ping finds the session gone (404): a new one is started.
    const back = await waitFor(
      async () => {
        const result = await echo('new session');
        return result.isError ? undefined : result;
      },
      'a call to succeed on a new session',
      20_000,
    );
    expect(textOf(back)).toBe('new session');
    expect(gateway.status().servers[0]).toMatchObject({ state: 'ready' });
    expect(server.sessions()).toBe(1);
  });

  it('reports a command that cannot be found', async () => {
    const { gateway } = await gatewayWith(
      { servers: { ghost: { command: 'toolscope-no-such-program', args: [] } } },
      { backoff: { initialDelayMs: 50, maxDelayMs: 60_000, maxConsecutiveFailures: 1, stableAfterMs: 60_000 } },
    );
    const failed = await waitFor(
      () => gateway.status().servers.find((server) => server.state === 'failed'),
      'the server to fail',
    );
    expect(failed.lastError).toMatch(/^servers\.ghost\.command: "toolscope-no-such-program" not found on PATH \(/);
    expect(failed.restarts).toBe(0);
  });

  it('says why an HTTP server cannot be reached, not only that fetch failed', async () => {
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const { gateway } = await gatewayWith(
      { servers: { away: { url: `http://127.0.0.1:${port}/mcp` }, nohost: { url: 'http://toolscope-no-such-host.invalid/mcp' } } },
      { backoff: { initialDelayMs: 50, maxDelayMs: 60_000, maxConsecutiveFailures: 1, stableAfterMs: 60_000 } },
    );
    const failed = await waitFor(() => {
      const all = gateway.status().servers;
      return all.every((server) => server.state === 'failed') ? Object.fromEntries(all.map((server) => [server.name, server.lastError])) : undefined;
    }, 'both servers to fail');
    expect(failed.away).toContain(`connect ECONNREFUSED 127.0.0.1:${port}`);
    expect(failed.nohost).toMatch(/getaddrinfo (ENOTFOUND|EAI_AGAIN) toolscope-no-such-host\.invalid/);
  });

  it('starts a lazy server only when a client first needs the catalog, and never a disabled one', async () => {
    const { gateway } = await gatewayWith((dir: string) => ({
      servers: {
        lazy: servers.probe(dir, { startup: 'lazy' }),
        off: servers.probe(dir, { enabled: false }),
      },
    }));
    const states = () => Object.fromEntries(gateway.status().servers.map((server) => [server.name, server.state]));
    expect(states()).toEqual({ lazy: 'idle', off: 'disabled' });
    expect(gateway.catalog.size).toBe(0);

    const client = await clientOf(gateway);
    await waitForTools(client, ['lazy__echo']);
    expect(states()).toEqual({ lazy: 'ready', off: 'disabled' });
    expect((await client.listTools()).tools.some((tool) => tool.name.startsWith('off__'))).toBe(false);
  });

  it.each([
    ['http', '--http'],
    ['sse', '--sse'],
  ] as const)('reaches a %s server with its configured headers, ${env:…} expanded', async (type, flag) => {
    const probe = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test/fixtures/probe-server.ts'), flag], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    cleanups.push(() => stopChild(probe));
    const url = await firstLine(probe);
    process.env.TOOLSCOPE_TEST_API_KEY = 'key-from-env';
    cleanups.push(() => {
      delete process.env.TOOLSCOPE_TEST_API_KEY;
    });

    const { gateway } = await gatewayWith({
      servers: { remote: { type, url, headers: { 'x-api-key': '${env:TOOLSCOPE_TEST_API_KEY}' } } },
    });
    const client = await clientOf(gateway);
    await waitForTools(client, ['remote__headers']);
    const headers = JSON.parse(textOf(await client.callTool({ name: 'remote__headers', arguments: {} }))) as Record<
      string,
      string
    >;
    expect(headers['x-api-key']).toBe('key-from-env');
    expect(headers.authorization).toBeUndefined();
    expect(gateway.status().servers[0]).toMatchObject({ name: 'remote', transport: type, state: 'ready' });
  });
});

const EVERYTHING = join(ROOT, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js');

/**
 * The real server-everything on `port`, over Streamable HTTP (stateful: sessions, an event store, a GET stream) or the
 * legacy SSE transport (a session per event stream).
 */
async function startEverything(port: number, mode: 'streamableHttp' | 'sse'): Promise<ChildProcess> {
  const child = spawn(process.execPath, [EVERYTHING, mode], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  cleanups.push(() => stopChild(child));
  await new Promise<void>((resolve, reject) => {
    const lines = createInterface({ input: child.stderr! });
    lines.on('line', (line) => {
      if (/(listening|running) on port/.test(line)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`server-everything exited with ${code}`)));
  });
  return child;
}

interface SessionServer {
  close(): Promise<void>;
  /** Sessions initialized on this server. */
  sessions(): number;
}

/**
 * A stateful Streamable HTTP MCP server (the SDK's transport, one per session) with the given echo-like tools. As the
 * spec says, a request for a session it does not know gets 404; it offers no GET stream (405). It answers in JSON and
 * closes each connection unless `keepAlive`: then in SSE streams on kept-alive connections, so the first request
 * after a restart may go out on a connection the old process closed, and fail before the new one sees it.
 */
async function sessionServer(port: number, tools: readonly string[], { keepAlive = false } = {}): Promise<SessionServer> {
  const transports = new Map<string, StreamableHTTPServerTransport>();
  const http = createHttpServer((req, res) => {
    if (!keepAlive) res.shouldKeepAlive = false;
    void (async () => {
      const sessionId = req.headers['mcp-session-id'];
      if (req.method === 'GET') {
        res.writeHead(405).end();
        return;
      }
      if (typeof sessionId === 'string') {
        const transport = transports.get(sessionId);
        if (transport) return transport.handleRequest(req, res);
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32001, message: 'Session not found' }, id: null }));
        return;
      }
      const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        enableJsonResponse: !keepAlive,
        onsessioninitialized: (id) => void transports.set(id, transport),
      });
      const mcp = new McpServer({ name: 'sessions', version: '1.0.0' });
      for (const tool of tools) {
        mcp.registerTool(tool, { inputSchema: { text: z.string() } }, ({ text }) => ({
          content: [{ type: 'text', text: tool === 'shout' ? text.toUpperCase() : text }],
        }));
      }
      await mcp.connect(transport);
      await transport.handleRequest(req, res);
    })();
  });
  http.listen(port, '127.0.0.1');
  await once(http, 'listening');
  const close = async () => {
    http.closeAllConnections();
    await new Promise((resolve) => http.close(resolve));
  };
  cleanups.push(close);
  return { close, sessions: () => transports.size };
}

/** A port nothing listens on (for now). */
async function freePort(): Promise<number> {
  const probe = createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => {
      lines.close();
      resolve(line.trim());
    });
    child.once('exit', (code) => reject(new Error(`probe exited with ${code}`)));
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}
