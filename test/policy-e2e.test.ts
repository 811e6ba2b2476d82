import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateToken, hashToken } from '../src/policy/auth/token.js';
import { parseListenAddress } from '../src/server/loopback.js';
import { CLI, ROOT, servers, tempDir, textOf, waitFor, waitForTools, writeConfig } from './support/toolscope-cli.js';
import { auditRecords, httpClient, refusalOf, startHttpGateway } from './support/policy.js';

const readerToken = generateToken();
const adminToken = generateToken();
const PROBE_KEY = 'probe-downstream-key-7f3a';

describe('scopes, authentication, argument rules, rate limits and audit through a real gateway', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let files: string;
  let probe: ChildProcess;
  let gateway: Awaited<ReturnType<typeof startHttpGateway>>;
  const clients: Client[] = [];

  async function connect(token: string): Promise<Client> {
    const client = await httpClient(gateway.url, token);
    clients.push(client);
    return client;
  }

  beforeAll(async () => {
    dir = await tempDir();
    files = join(dir.path, 'public');
    await mkdir(files);
    await writeFile(join(files, 'notes.txt'), 'public notes\n');
    await writeFile(join(dir.path, 'secret.txt'), 'outside the public folder\n');
    probe = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test/fixtures/probe-server.ts'), '--http'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const probeUrl = await new Promise<string>((resolve) => createInterface({ input: probe.stdout! }).once('line', resolve));
    process.env.POLICY_TEST_PROBE_KEY = PROBE_KEY;
    gateway = await startHttpGateway(dir.path, {
      servers: {
        filesystem: servers.filesystem(files),
        remote: { url: probeUrl, headers: { 'x-api-key': '${env:POLICY_TEST_PROBE_KEY}' } },
      },
      principals: {
        reader: { allow: ['read'], tokenHashes: [hashToken(readerToken)] },
        admin: { allow: ['*:*'], admin: true, tokenHashes: [hashToken(adminToken)] },
      },
      argumentRules: { 'filesystem:*': { path: { pathUnder: files }, paths: { pathUnder: files } } },
      approval: { required: [] },
      // Search exposure (the default); BM25 alone keeps the test light: the policy filter is the same for every retriever.
      retrieval: { retriever: 'bm25' },
      rateLimits: { tools: { 'filesystem:list_allowed_directories': { capacity: 2, refillPerSecond: 0.01 } } },
    });
    await waitFor(() => gateway.gateway.catalog.get('filesystem__write_file') && gateway.gateway.catalog.get('remote__headers'), 'both servers');
  });

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await gateway?.close();
    probe?.kill();
    delete process.env.POLICY_TEST_PROBE_KEY;
    await dir?.remove();
  });

  it('answers 401 with a JSON-RPC error body when the token is missing or wrong', async () => {
    const attempts: Array<Record<string, string>> = [{}, { authorization: `Bearer ${readerToken}x` }, { authorization: 'Basic abc' }];
    for (const headers of attempts) {
      const response = await fetch(gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '1' } } }),
      });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(await response.json()).toMatchObject({ jsonrpc: '2.0', error: { code: -32001, message: expect.stringMatching(/unauthorized/) }, id: null });
    }
    await expect(httpClient(gateway.url)).rejects.toThrow();
  });

  it('binds a session to the principal that opened it', async () => {
    const reader = await connect(readerToken);
    const sessionId = (reader.transport as StreamableHTTPClientTransport).sessionId!;
    const asAdmin = await fetch(gateway.url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${adminToken}`,
        'mcp-session-id': sessionId,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/list' }),
    });
    expect(asAdmin.status).toBe(403);
    expect(await asAdmin.json()).toMatchObject({ error: { message: expect.stringMatching(/belongs to another principal/) } });
  });

  const search = async (client: Client, query: string) => {
    const result = (await client.callTool({ name: 'search_tools', arguments: { query, limit: 20 } })) as CallToolResult;
    return (result.structuredContent as { tools: Array<{ name: string }> }).tools.map((tool) => tool.name);
  };

  it('lets a read-only principal read, never shows it write tools in search_tools, and refuses a write naming the rule', async () => {
    const reader = await connect(readerToken);
    expect((await reader.listTools()).tools.map((tool) => tool.name)).toEqual(['search_tools', 'call_tool']);
    const found = await search(reader, 'write text to a file');
    expect(found.length).toBeGreaterThan(0);
    const writeTools = ['filesystem__write_file', 'filesystem__edit_file', 'filesystem__create_directory', 'filesystem__move_file'];
    for (const name of writeTools) expect(found).not.toContain(name);
    expect(found.every((name) => name.startsWith('filesystem__'))).toBe(true);

    const read = await reader.callTool({ name: 'filesystem__read_text_file', arguments: { path: join(files, 'notes.txt') } });
    expect(textOf(read)).toContain('public notes');

    const write = (await reader.callTool({
      name: 'call_tool',
      arguments: { name: 'filesystem__write_file', arguments: { path: join(files, 'evil.txt'), content: 'x' } },
    })) as CallToolResult;
    expect(write.isError).toBe(true);
    expect(refusalOf(write)).toMatchObject({ stage: 'scope', rule: 'principals.reader.allow' });
    expect(textOf(write)).toMatch(/refused this call at the scope stage/);
    await expect(readFile(join(files, 'evil.txt'))).rejects.toThrow(/ENOENT/);
  });

  it('filters the route API by the caller too', async () => {
    const route = async (token: string) => {
      const response = await fetch(gateway.url.replace(/\/mcp$/, '/v1/route'), {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ query: 'write text to a file', limit: 5 }),
      });
      return ((await response.json()) as { matches: Array<{ name: string }> }).matches.map((match) => match.name);
    };
    expect(await route(readerToken)).not.toContain('filesystem__write_file');
    expect(await route(adminToken)).toContain('filesystem__write_file');
  });

  it('lets the admin see and call write tools', async () => {
    const admin = await connect(adminToken);
    expect((await search(admin, 'write text to a file'))[0]).toBe('filesystem__write_file');
    const written = await admin.callTool({ name: 'filesystem__write_file', arguments: { path: join(files, 'admin.txt'), content: 'by admin' } });
    expect(written.isError).toBeFalsy();
    expect(await readFile(join(files, 'admin.txt'), 'utf8')).toBe('by admin');
  });

  it('refuses ../ escapes before the filesystem server sees them', async () => {
    const reader = await connect(readerToken);
    const escape = (await reader.callTool({
      name: 'filesystem__read_text_file',
      arguments: { path: `${files}/../secret.txt` },
    })) as CallToolResult;
    expect(escape.isError).toBe(true);
    expect(refusalOf(escape)).toMatchObject({ stage: 'validate', rule: 'argumentRules["filesystem:*"].path.pathUnder' });
    // The rule is named once in the text the model reads.
    expect(textOf(escape).split('argumentRules["filesystem:*"].path.pathUnder')).toHaveLength(2);
    expect(textOf(escape)).not.toContain('outside the public folder');
  });

  it('stops a principal over its rate limit with retry-after', async () => {
    const reader = await connect(readerToken);
    const call = () => reader.callTool({ name: 'filesystem__list_allowed_directories', arguments: {} }) as Promise<CallToolResult>;
    expect((await call()).isError).toBeFalsy();
    expect((await call()).isError).toBeFalsy();
    const limited = await call();
    expect(refusalOf(limited)).toMatchObject({
      stage: 'rate-limit',
      rule: 'rateLimits.tools["filesystem:list_allowed_directories"]',
      retryAfterSeconds: expect.any(Number),
    });
    expect(refusalOf(limited)!.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(textOf(limited)).toMatch(/Retry after \d+ s/);
  });

  it('never passes the client\'s bearer token to a downstream; the server gets only its configured headers', async () => {
    const admin = await connect(adminToken);
    const received = textOf(await admin.callTool({ name: 'remote__headers', arguments: {} }));
    const headers = JSON.parse(received) as Record<string, string>;
    expect(headers['x-api-key']).toBe(PROBE_KEY);
    expect(headers.authorization).toBeUndefined();
    expect(received).not.toContain(adminToken);
  });

  it('audits every call with each stage\'s decision, and no token or secret value', async () => {
    const records = await auditRecords(dir.path);
    const calls = records.filter((r) => r.callId);
    const byTool = (tool: string) => calls.filter((r) => r.tool === tool);
    expect(byTool('filesystem__write_file').map((r) => [r.principal, r.outcome])).toEqual([
      ['reader', 'refused'],
      ['admin', 'ok'],
    ]);
    const refused = byTool('filesystem__write_file')[0]!;
    expect(refused.decisions).toEqual([
      { stage: 'authenticate', outcome: 'pass', reason: 'principal reader' },
      { stage: 'scope', outcome: 'deny', reason: expect.stringMatching(/no allow rule of reader/) },
    ]);
    const admitted = byTool('filesystem__write_file')[1]!;
    expect((admitted.decisions as Array<{ stage: string }>).map((d) => d.stage)).toEqual([
      'authenticate',
      'scope',
      'validate',
      'approve',
      'rate-limit',
      'forward',
    ]);
    expect(byTool('filesystem__read_text_file').some((r) => (r.refusal as { stage?: string } | undefined)?.stage === 'validate')).toBe(true);
    expect(byTool('filesystem__list_allowed_directories').map((r) => r.outcome)).toEqual(['ok', 'ok', 'refused']);
    for (const record of calls) {
      expect(record).toMatchObject({ time: expect.any(String), argumentsHmac: expect.stringMatching(/^[0-9a-f]{64}$/), latencyMs: expect.any(Number) });
    }
    const text = JSON.stringify(records);
    expect(text).not.toContain(readerToken);
    expect(text).not.toContain(adminToken);
    expect(text).not.toContain(PROBE_KEY);
  });

  it('binds a network address only when callers authenticate', () => {
    expect(() => parseListenAddress('0.0.0.0:0')).toThrow(/no principals are configured/);
    expect(parseListenAddress('0.0.0.0:0', true)).toEqual({ host: '0.0.0.0', port: 0 });
  });
});

describe('stdio sessions act as the principal chosen with --as', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let configPath: string;

  beforeAll(async () => {
    dir = await tempDir();
    configPath = await writeConfig(dir.path, {
      servers: { filesystem: servers.filesystem(dir.path) },
      principals: { reader: { allow: ['read'] } },
      exposure: { mode: 'all' },
    });
  });
  afterAll(() => dir?.remove());

  function serve(args: string[]): StdioClientTransport {
    return new StdioClientTransport({
      command: process.execPath,
      args: ['--import', 'tsx', CLI, '--config', configPath, 'serve', ...args],
      cwd: ROOT,
      env: { ...(process.env as Record<string, string>), TOOLSCOPE_LOG_LEVEL: 'silent' },
      stderr: 'pipe',
    });
  }

  it('lists only what the principal may call (exposure mode all)', async () => {
    const client = new Client({ name: 'stdio-policy', version: '1.0.0' });
    await client.connect(serve(['--as', 'reader']));
    try {
      const listed = await waitForTools(client, ['filesystem__read_text_file']);
      expect(listed).not.toContain('filesystem__write_file');
    } finally {
      await client.close();
    }
  });

  it('refuses to start without --as once principals exist', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, '--config', configPath, 'serve'], {
      cwd: ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toMatch(/choose who this stdio session acts as with --as NAME/);
  });
});
