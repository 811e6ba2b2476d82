import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { createInterface } from 'node:readline';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult, JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseConfig } from '../src/config/load.js';
import { MessageReader, MessageTooLarge } from '../src/downstream/message-reader.js';
import { createGateway, type Gateway } from '../src/gateway.js';
import { createLogger } from '../src/log.js';
import { serveHttp, type RunningHttpServer } from '../src/server/http.js';
import { ROOT, tempDir, textOf, waitFor, waitForTools, writeConfig } from './support/toolscope-cli.js';
import { FAULTY, faultyServer } from './support/stdio-gateway.js';
import { newBearerToken, tokenHash } from './support/bearer.js';

const KiB = 1024;
const MiB = 1024 * KiB;

/**
 * A real gateway with its real downstream children, every tool listed (exposure `all`), served over HTTP on
 * 127.0.0.1:0 in this process.
 */
async function startToolscope(dir: string, config: object): Promise<{ gateway: Gateway; http: RunningHttpServer }> {
  const loaded = await loadConfig(await writeConfig(dir, { exposure: { mode: 'all' }, ...config }));
  const gateway = createGateway(loaded, { logger: createLogger('silent') });
  await gateway.start();
  return { gateway, http: await serveHttp(gateway, { host: '127.0.0.1', port: 0 }) };
}

async function connect(url: string): Promise<Client> {
  const client = new Client({ name: 'limits-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  return client;
}

const call = async (client: Client, name: string, args: Record<string, unknown> = {}) =>
  (await client.callTool({ name, arguments: args })) as CallToolResult;

describe('limits configuration', () => {
  const problems = (config: object): string[] => {
    try {
      parseConfig(config, 'toolscope.json');
      return [];
    } catch (error) {
      return [...(error as ConfigError).problems];
    }
  };

  it('has defaults: 16 MiB messages, 4 MiB results and request bodies, 256 sessions idle for at most 30 min, 1000 events / 4 MiB kept for resumption, 100 items a page', () => {
    expect(parseConfig({}, 'toolscope.json').limits).toEqual({
      maxMessageBytes: 16 * MiB,
      maxResultBytes: 4 * MiB,
      maxRequestBytes: 4 * MiB,
      maxSessions: 256,
      sessionIdleMs: 30 * 60_000,
      maxListPages: 1_000,
      maxListItems: 20_000,
      maxItemBytes: MiB,
      maxCatalogTools: 200_000,
      maxSessionsPerPrincipal: 64,
      maxReplayEvents: 1_000,
      maxReplayBytes: 4 * MiB,
      listPageSize: 100,
    });
  });

  it('refuses bad values and unknown keys, globally and per server, naming the path', () => {
    expect(problems({ limits: { maxMessageBytes: 0, maxMessageSize: 1 } })).toEqual([
      expect.stringMatching(/^limits\.maxMessageBytes: /),
      expect.stringMatching(/^limits: .*maxMessageSize/),
    ]);
    expect(problems({ servers: { a: { command: 'node', limits: { maxResultBytes: -1 } } } })).toEqual([
      expect.stringMatching(/^servers\.a\.limits\.maxResultBytes: /),
    ]);
    expect(problems({ servers: { a: { command: 'node', limits: { maxSessions: 3 } } } })).toEqual([
      expect.stringMatching(/^servers\.a\.limits: .*maxSessions/),
    ]);
  });
});

describe('MessageReader: newline-delimited JSON-RPC with a bounded line', () => {
  const collect = (reader: MessageReader, chunks: string[]) => {
    const messages: JSONRPCMessage[] = [];
    const invalid: string[] = [];
    for (const chunk of chunks) {
      reader.push(Buffer.from(chunk), { message: (m) => messages.push(m), invalid: (line) => invalid.push(line) });
    }
    return { messages, invalid };
  };

  it('joins a message split across chunks and skips lines that are not JSON-RPC', () => {
    const { messages, invalid } = collect(new MessageReader(1 * KiB), [
      '{"jsonrpc":"2.0","met',
      'hod":"ping","id":1}\nnot json\n{"id":2}\r\n',
      '\n{"jsonrpc":"2.0","method":"notifications/initialized"}\n',
    ]);
    expect(messages).toEqual([
      { jsonrpc: '2.0', method: 'ping', id: 1 },
      { jsonrpc: '2.0', method: 'notifications/initialized' },
    ]);
    expect(invalid).toEqual(['not json', '{"id":2}']);
  });

  it('refuses a line as soon as it passes the limit, before its newline arrives', () => {
    const reader = new MessageReader(100);
    expect(() => collect(reader, ['x'.repeat(60), 'y'.repeat(60)])).toThrow(MessageTooLarge);
    // What was held is dropped; the reader holds nothing of the refused line.
    expect(collect(reader, ['{"jsonrpc":"2.0","method":"ping","id":3}\n']).messages).toHaveLength(1);
  });
});

describe('size limits on what downstream servers send', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let remote: ChildProcess;
  let toolscope: Awaited<ReturnType<typeof startToolscope>>;
  let client: Client;

  const status = (name: string) => toolscope.gateway.status().servers.find((server) => server.name === name)!;

  beforeAll(async () => {
    dir = await tempDir();
    remote = spawn(process.execPath, ['--import', 'tsx', FAULTY, '--http'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    const sseUrl = await new Promise<string>((resolve, reject) => {
      createInterface({ input: remote.stdout! }).once('line', resolve);
      remote.once('exit', (code) => reject(new Error(`the HTTP fixture exited with ${code}`)));
    });
    const limits = { maxMessageBytes: 1 * MiB, maxResultBytes: 256 * KiB };
    toolscope = await startToolscope(dir.path, {
      servers: {
        faulty: faultyServer({ limits, timeoutMs: 30_000 }),
        steady: faultyServer(),
        remote_sse: { url: sseUrl, limits, timeoutMs: 30_000 },
        remote_json: { url: sseUrl.replace(/\/mcp$/, '/mcp-json'), limits, timeoutMs: 30_000 },
      },
    });
    client = await connect(toolscope.http.url);
    await waitForTools(client, ['faulty__big', 'steady__echo', 'remote_sse__big', 'remote_json__big']);
  });

  afterAll(async () => {
    await client?.close();
    await toolscope?.http.close();
    await toolscope?.gateway.stop();
    remote?.kill();
    await dir?.remove();
  });

  it('passes a result under maxResultBytes whole', async () => {
    const result = await call(client, 'faulty__big', { bytes: 200 * KiB });
    expect(result.isError).toBeFalsy();
    expect(textOf(result)).toHaveLength(200 * KiB);
  });

  it('turns a result over maxResultBytes into a tool error naming the tool, not blaming the server, keeping the connection', async () => {
    const pid = status('faulty').pid;
    const result = await call(client, 'faulty__big', { bytes: 300 * KiB });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(
      /^the result of faulty__big is \d+ bytes, over toolscope's limits\.maxResultBytes \(262144\), so it was not forwarded; ask for less \(a smaller range, a filter, head\/tail\)$/,
    );
    expect(textOf(await call(client, 'faulty__echo', { text: 'same child' }))).toBe('same child');
    expect(status('faulty').pid).toBe(pid);
  });

  it('cuts an endless stdio line off at maxMessageBytes: the call fails at once, the server restarts', async () => {
    const pid = status('faulty').pid;
    const started = Date.now();
    const result = await call(client, 'faulty__babble');
    expect(result.isError).toBe(true);
    expect(textOf(result)).toBe(
      'server "faulty" failed: the server sent a message over 1048576 bytes (limits.maxMessageBytes); ' +
        'toolscope reset the connection',
    );
    // Long before the 30 s call timeout: the line was refused while it streamed in.
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(textOf(await call(client, 'steady__echo', { text: 'unaffected' }))).toBe('unaffected');
    await waitFor(() => status('faulty').state === 'ready' && status('faulty').pid !== pid, 'faulty to restart');
    expect(status('faulty').lastError).toMatch(/over 1048576 bytes/);
    expect(textOf(await call(client, 'faulty__echo', { text: 'new child' }))).toBe('new child');
  });

  it('bounds an HTTP server\'s JSON response body by maxMessageBytes', async () => {
    const result = await call(client, 'remote_json__big', { bytes: 2 * MiB });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toBe(
      'server "remote_json" failed: the server sent a response over 1048576 bytes (limits.maxMessageBytes)',
    );
    expect(textOf(await call(client, 'remote_json__echo', { text: 'json still fine' }))).toBe('json still fine');
  });

  it('bounds each event of an HTTP server\'s SSE stream by maxMessageBytes, failing the call instead of hanging it', async () => {
    const started = Date.now();
    const result = await call(client, 'remote_sse__big', { bytes: 2 * MiB });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toBe(
      'server "remote_sse" failed: the server sent an event over 1048576 bytes (limits.maxMessageBytes); ' +
        'toolscope reset the connection',
    );
    expect(Date.now() - started).toBeLessThan(15_000);
    await waitFor(() => status('remote_sse').state === 'ready', 'remote_sse to reconnect');
    expect(textOf(await call(client, 'remote_sse__echo', { text: 'sse back' }))).toBe('sse back');
  });
});

interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/**
 * A POST to toolscope's /mcp on a connection of its own; the body chunks are streamed (chunked encoding) unless a
 * content-length header is given. `chunks: 'endless'` streams a body that never ends, until the server answers.
 */
function post(url: string, chunks: readonly string[] | 'endless', headers: Record<string, string> = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = request(
      url,
      {
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
      },
      (res) => {
        answered = true;
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    // Once answered, the server may close before the whole body is written.
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    if (chunks !== 'endless') {
      for (const chunk of chunks) req.write(chunk);
      req.end();
      return;
    }
    const feed = setInterval(() => (answered ? clearInterval(feed) : req.write('x'.repeat(8 * KiB))), 2);
  });
}

const initialize = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
});

/** Opens a session with raw requests (no GET stream, as a client that went away would leave it); returns its id. */
async function openRawSession(url: string): Promise<string> {
  const id = await tryOpenRawSession(url);
  expect(id, 'a session slot').toBeDefined();
  return id!;
}

/** `openRawSession`, or undefined while every session slot is taken (503). */
async function tryOpenRawSession(url: string): Promise<string | undefined> {
  const response = await post(url, [initialize]);
  if (response.status === 503) return undefined;
  expect(response.status).toBe(200);
  const id = response.headers['mcp-session-id'] as string;
  const initialized = await post(url, [JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })], {
    'mcp-session-id': id,
    'mcp-protocol-version': '2025-06-18',
  });
  expect(initialized.status).toBe(202);
  return id;
}

const listTools = (url: string, session: string) =>
  post(url, [JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' })], {
    'mcp-session-id': session,
    'mcp-protocol-version': '2025-06-18',
  });

describe('HTTP endpoint limits: request size, session count, idle sessions', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let toolscope: Awaited<ReturnType<typeof startToolscope>>;
  let url: string;
  const IDLE_MS = 1_500;

  beforeAll(async () => {
    dir = await tempDir();
    toolscope = await startToolscope(dir.path, {
      limits: { maxRequestBytes: 64 * KiB, maxSessions: 2, sessionIdleMs: IDLE_MS },
      servers: {},
    });
    url = toolscope.http.url;
  });

  afterAll(async () => {
    await toolscope?.http.close();
    await toolscope?.gateway.stop();
    await dir?.remove();
  });

  const expectRpcError = (response: RawResponse, status: number, code: number, message: RegExp) => {
    expect(response.status).toBe(status);
    const body = JSON.parse(response.body) as { jsonrpc: string; id: unknown; error: { code: number; message: string } };
    expect(body.jsonrpc).toBe('2.0');
    expect(body.id).toBeNull();
    expect(body.error.code).toBe(code);
    expect(body.error.message).toMatch(message);
  };

  it('answers a body over maxRequestBytes with 413 and a JSON-RPC error, declared or still streaming', async () => {
    const oversized = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping', params: { pad: 'p'.repeat(100 * KiB) } });
    const declared = await post(url, [oversized], { 'content-length': String(Buffer.byteLength(oversized)) });
    expectRpcError(declared, 413, -32600, /^request body over 65536 bytes \(limits\.maxRequestBytes\)$/);
    // A body that never ends is refused once it passes the limit: it was never going to be buffered whole.
    const streamed = await post(url, 'endless');
    expectRpcError(streamed, 413, -32600, /^request body over 65536 bytes \(limits\.maxRequestBytes\)$/);
    // The unread rest must not be taken for a next request on the same connection.
    expect(streamed.headers.connection).toBe('close');
    expectRpcError(await post(url, ['{"jsonrpc":"2.0","id":1,"method":"ping"}']), 400, -32000, /must be initialize/);
  });

  it('refuses a session past maxSessions with 503 and a JSON-RPC error; closing one frees its place', async () => {
    const first = await openRawSession(url);
    await openRawSession(url);
    expectRpcError(await post(url, [initialize]), 503, -32000, /^too many sessions \(limits\.maxSessions is 2\)/);
    const closed = await new Promise<number>((resolve, reject) => {
      request(url, { method: 'DELETE', agent: false, headers: { 'mcp-session-id': first, 'mcp-protocol-version': '2025-06-18' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
        .on('error', reject)
        .end();
    });
    expect(closed).toBe(200);
    await openRawSession(url);
  });

  it('closes a session idle for sessionIdleMs (its id then answers 404) and frees its place', async () => {
    // The two sessions left by the test before are idle too: once one expires, an initialize is accepted again.
    // The probe's own session is the one used: a probe session besides it could take the last free slot.
    const session = await waitFor(() => tryOpenRawSession(url), 'a free session slot', IDLE_MS * 4);
    expect((await listTools(url, session)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, IDLE_MS + 1_000));
    expectRpcError(await listTools(url, session), 404, -32001, /not found \(expired or closed\): start a new one with an initialize request without Mcp-Session-Id$/);
  });

  it('keeps a session whose client holds its stream open, however long it stays quiet', async () => {
    await waitFor(async () => (await post(url, [initialize])).status === 200, 'a free session slot', IDLE_MS * 4);
    const client = await connect(url);
    try {
      await new Promise((resolve) => setTimeout(resolve, IDLE_MS * 2));
      expect((await client.listTools()).tools).toEqual([]);
    } finally {
      await client.close();
    }
  });
});

describe('HTTP sessions per principal, and streams nobody answers on', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let toolscope: Awaited<ReturnType<typeof startToolscope>>;
  let url: string;
  const IDLE_MS = 1_500;
  const greedy = newBearerToken();
  const other = newBearerToken();

  beforeAll(async () => {
    dir = await tempDir();
    toolscope = await startToolscope(dir.path, {
      limits: { maxSessions: 6, maxSessionsPerPrincipal: 2, sessionIdleMs: IDLE_MS },
      principals: {
        greedy: { allow: ['*:*'], tokenHashes: [tokenHash(greedy)] },
        other: { allow: ['*:*'], tokenHashes: [tokenHash(other)] },
      },
      servers: {},
    });
    url = toolscope.http.url;
  });

  afterAll(async () => {
    await toolscope?.http.close();
    await toolscope?.gateway.stop();
    await dir?.remove();
  });

  const headers = (token: string, session?: string) => ({
    authorization: `Bearer ${token}`,
    accept: 'application/json, text/event-stream',
    'content-type': 'application/json',
    'mcp-protocol-version': '2025-06-18',
    ...(session && { 'mcp-session-id': session }),
  });
  const open = (token: string) => fetch(url, { method: 'POST', headers: headers(token), body: initialize });

  it('caps the sessions of one principal: one token cannot take every place, another principal still gets one', async () => {
    const sessions: string[] = [];
    const streams = new AbortController();
    try {
      for (let i = 0; i < 2; i++) {
        const response = await open(greedy);
        expect(response.status).toBe(200);
        const session = response.headers.get('mcp-session-id')!;
        sessions.push(session);
        await response.text();
        // In use: the client listens on a GET stream.
        await fetch(url, { method: 'POST', headers: headers(greedy, session), body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) });
        const stream = await fetch(url, { method: 'GET', headers: { ...headers(greedy, session), accept: 'text/event-stream' }, signal: streams.signal });
        expect(stream.status).toBe(200);
      }
      for (let i = 0; i < 4; i++) {
        const refused = await open(greedy);
        expect(refused.status).toBe(503);
        expect(await refused.text()).toMatch(/too many sessions of principal greedy \(limits\.maxSessionsPerPrincipal is 2\), each in use/);
      }
      const welcome = await open(other);
      expect(welcome.status).toBe(200);
      await fetch(url, { method: 'DELETE', headers: headers(other, welcome.headers.get('mcp-session-id')!) });
    } finally {
      streams.abort();
      for (const session of sessions) await fetch(url, { method: 'DELETE', headers: headers(greedy, session) });
    }
  });

  it('closes a principal\'s least recently used session nobody uses to make room, rather than locking it out', async () => {
    // Clients that ended without DELETE (the SDK's close() sends none): sessions with no request and no stream.
    const abandoned: string[] = [];
    for (let i = 0; i < 2; i++) {
      const response = await open(greedy);
      abandoned.push(response.headers.get('mcp-session-id')!);
      await response.text();
    }
    const fresh = await open(greedy);
    expect(fresh.status).toBe(200);
    await fresh.text();
    const listTools = JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/list' });
    // The oldest was closed: its client is told to open a new session (404); the other still answers.
    expect((await fetch(url, { method: 'POST', headers: headers(greedy, abandoned[0]), body: listTools })).status).toBe(404);
    const kept = await fetch(url, { method: 'POST', headers: headers(greedy, abandoned[1]), body: listTools });
    expect(kept.status).toBe(200);
    await kept.text();
    for (const session of [abandoned[1]!, fresh.headers.get('mcp-session-id')!]) await fetch(url, { method: 'DELETE', headers: headers(greedy, session) });
  });

  it('reaps a session whose only sign of life is a GET stream its client never answers on', async () => {
    const opened = await open(other);
    const session = opened.headers.get('mcp-session-id')!;
    await opened.text();
    await fetch(url, { method: 'POST', headers: headers(other, session), body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) });
    // A stream held open by a client that reads nothing and answers no heartbeat.
    const abort = new AbortController();
    const stream = await fetch(url, { method: 'GET', headers: { ...headers(other, session), accept: 'text/event-stream' }, signal: abort.signal });
    expect(stream.status).toBe(200);
    try {
      await new Promise((resolve) => setTimeout(resolve, IDLE_MS * 3));
      const after = await fetch(url, { method: 'POST', headers: headers(other, session), body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/list' }) });
      expect(after.status).toBe(404);
    } finally {
      abort.abort();
    }
  });
});
