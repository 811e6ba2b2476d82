import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  ListToolsResultSchema,
  ToolListChangedNotificationSchema,
  type CallToolResult,
} from '@modelcontextprotocol/sdk/types.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toCatalogTool } from '../src/catalog/catalog.js';
import { loadConfig, parseConfig } from '../src/config/load.js';
import { MAX_LISTED_SERVERS } from '../src/exposure/meta-tools.js';
import { closestToolNames } from '../src/exposure/name-suggestions.js';
import { createGateway, LOCAL_PRINCIPAL, type Gateway } from '../src/gateway.js';
import { createLogger } from '../src/log.js';
import { parseListenAddress } from '../src/server/loopback.js';
import { serveHttp, type RunningHttpServer } from '../src/server/http.js';
import { readRunRecords } from '../src/server/run-record.js';
import { serveHttpProcess } from './support/serve-process.js';
import { connectStdio, servers, tempDir, textOf, waitFor, writeConfig } from './support/toolscope-cli.js';

/** What the memory server is for: its tools alone never mention remembering (see docs/retrieval.md). */
const MEMORY_DESCRIPTION =
  'Knowledge graph memory: remembers people, organisations, facts about them and how they relate, across conversations.';
const READER_TOKEN = 'reader-token-for-tests-only';
const FULL_TOKEN = 'full-token-for-tests-only';
const sha256 = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;

interface FoundTool {
  name: string;
  description: string;
  server: string;
  score: number;
  inputSchema: { type: string };
}

function config(dir: string, exposure: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return {
    stateDir: join(dir, 'state'),
    servers: {
      filesystem: servers.filesystem(join(dir, 'files')),
      memory: { ...servers.memory(), description: MEMORY_DESCRIPTION },
      everything: servers.everything(),
    },
    exposure,
    retrieval: { embedder: { backend: 'use-lite' } },
    // Writes would otherwise wait for a human (destructive tools need approval by default).
    approval: { required: [] },
    ...extra,
  };
}

async function search(client: Client, query: string, limit?: number): Promise<FoundTool[]> {
  const result = (await client.callTool({
    name: 'search_tools',
    arguments: { query, ...(limit !== undefined && { limit }) },
  })) as CallToolResult;
  expect(result.isError ?? false).toBe(false);
  return (result.structuredContent as { tools: FoundTool[] }).tools;
}

async function startGateway(configPath: string): Promise<{ gateway: Gateway; http: RunningHttpServer }> {
  const gateway = createGateway(await loadConfig(configPath), { logger: createLogger('warn') });
  await gateway.start();
  const http = await serveHttp(gateway, parseListenAddress('127.0.0.1:0'));
  // Every server connected and every tool embedded: rankings do not depend on timing.
  await waitFor(() => {
    const status = gateway.status();
    const ready = status.servers.every((server) => server.state === 'ready');
    return ready && status.retrieval.state === 'ready' && !status.retrieval.indexing && status.retrieval.tools === status.tools;
  }, 'servers connected and tools indexed', 90_000);
  return { gateway, http };
}

async function connectHttp(url: string, token?: string): Promise<Client> {
  const client = new Client({ name: 'retrieval-test', version: '1.0.0' });
  const requestInit = token ? { headers: { authorization: `Bearer ${token}` } } : undefined;
  await client.connect(new StreamableHTTPClientTransport(new URL(url), requestInit ? { requestInit } : {}));
  return client;
}

let dir: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  dir = await tempDir();
  await mkdir(join(dir.path, 'files'));
});
afterAll(() => dir.remove());

describe('exposure mode search over stdio', () => {
  let client: Client;

  beforeAll(async () => {
    const path = await writeConfig(dir.path, config(dir.path, { mode: 'search', pinned: ['everything__echo'] }), 'stdio.json');
    client = await connectStdio(path);
    // search_tools names the servers whose tools are in the catalog: wait until all three are there.
    await waitFor(async () => {
      const description = (await client.listTools()).tools[0]?.description ?? '';
      return ['filesystem', 'memory (', 'everything'].every((server) => description.includes(server));
    }, 'all three servers in the catalog', 90_000);
  });
  afterAll(() => client?.close());

  it('lists search_tools, call_tool and the pinned tools only', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(['search_tools', 'call_tool', 'everything__echo']);
    const searchTools = tools[0]!;
    // 36, plus the two server-everything offers because toolscope relays sampling and elicitation to it.
    expect(searchTools.description).toMatch(/among the 38 tools of the connected servers: /);
    expect(searchTools.description).toContain('memory (Knowledge graph memory: remembers people');
    expect(searchTools.description).toContain('call_tool');
    expect(searchTools.inputSchema.required).toEqual(['query']);
  });

  it('search_tools ranks filesystem__write_file first for "write text to a file"', async () => {
    const result = (await client.callTool({ name: 'search_tools', arguments: { query: 'write text to a file' } })) as CallToolResult;
    const found = (result.structuredContent as { tools: FoundTool[] }).tools;
    expect(found).toHaveLength(5);
    expect(found[0]).toMatchObject({ name: 'filesystem__write_file', server: 'filesystem' });
    expect(found[0]!.inputSchema).toMatchObject({ type: 'object', properties: { path: {}, content: {} } });
    expect(found[0]!.score).toBeGreaterThan(found[4]!.score);
    // The same results as compact text for clients that only show text to the model.
    expect(textOf(result)).toMatch(/^1\. filesystem__write_file \(server filesystem, score [\d.]+, confidence [\d.]+\)$/m);
    expect(textOf(result)).toMatch(/arguments: path: string \(required\); content: string \(required\)/);
  });

  it('answers "remember that Alice works at Acme" with the memory tools that add, as a good match', async () => {
    const result = (await client.callTool({
      name: 'search_tools',
      arguments: { query: 'remember that Alice works at Acme', limit: 9 },
    })) as CallToolResult;
    const { tools: found, match } = result.structuredContent as { tools: FoundTool[]; match: string };
    const names = found.map((tool) => tool.name);
    const adding = ['memory__create_entities', 'memory__create_relations', 'memory__add_observations'];
    expect(names.slice(0, 3).sort(), names.join(' ')).toEqual([...adding].sort());
    expect(names.filter((name) => name.startsWith('memory__delete')).every((name) => names.indexOf(name) > 2)).toBe(true);
    expect(match).toBe('good');
    expect(textOf(result)).not.toMatch(/^No good match/);
  });

  it('call_tool runs a found tool end to end', async () => {
    const path = join(dir.path, 'files', 'stdio.txt');
    const written = (await client.callTool({
      name: 'call_tool',
      arguments: { name: 'filesystem__write_file', arguments: { path, content: 'written through call_tool' } },
    })) as CallToolResult;
    expect(written.isError ?? false).toBe(false);
    expect(await readFile(path, 'utf8')).toBe('written through call_tool');
    const read = await client.callTool({
      name: 'call_tool',
      arguments: { name: 'filesystem__read_text_file', arguments: JSON.stringify({ path }) },
    });
    expect(textOf(read)).toContain('written through call_tool');
  });

  it('call_tool and search_tools explain bad arguments as tool errors', async () => {
    const unknown = (await client.callTool({ name: 'call_tool', arguments: { name: 'write_file', arguments: {} } })) as CallToolResult;
    expect(unknown.isError).toBe(true);
    expect(textOf(unknown)).toContain('no tool is named "write_file"');
    const badLimit = (await client.callTool({ name: 'search_tools', arguments: { query: 'x', limit: 50 } })) as CallToolResult;
    expect(badLimit.isError).toBe(true);
    expect(textOf(badLimit)).toContain('`limit` must be at most 20');
    // A limit sent as a string of digits, as some models send numbers, is that number; other strings are refused.
    const stringLimit = (await client.callTool({ name: 'search_tools', arguments: { query: 'write text to a file', limit: '3' } })) as CallToolResult;
    expect((stringLimit.structuredContent as { tools: unknown[] }).tools).toHaveLength(3);
    const wordLimit = (await client.callTool({ name: 'search_tools', arguments: { query: 'x', limit: 'three' } })) as CallToolResult;
    expect(textOf(wordLimit)).toContain('`limit` must be a number');
  });

  it('call_tool and search_tools refuse keys they do not take, naming each and where the tool arguments go', async () => {
    for (const stray of ['args', 'input']) {
      const result = (await client.callTool({ name: 'call_tool', arguments: { name: 'everything__echo', [stray]: { message: 'hi' } } })) as CallToolResult;
      expect(result.isError).toBe(true);
      expect(textOf(result)).toContain(`unknown key "${stray}"`);
      expect(textOf(result)).toContain("put the tool's arguments under `arguments`");
    }
    const search = (await client.callTool({ name: 'search_tools', arguments: { query: 'echo a message', server: 'everything' } })) as CallToolResult;
    expect(search.isError).toBe(true);
    expect(textOf(search)).toBe('search_tools: unknown key "server" (known keys: query, limit)');
  });

  it('call_tool and a direct tools/call suggest the tool a name no tool has likely meant', async () => {
    const meant = {
      everything__get_sum: 'everything__get-sum',
      'everything:echo': 'everything__echo',
      echo: 'everything__echo',
      Everything__Echo: 'everything__echo',
      ' everything__echo ': 'everything__echo',
      everything__ecoh: 'everything__echo',
    };
    for (const [name, tool] of Object.entries(meant)) {
      const result = (await client.callTool({ name: 'call_tool', arguments: { name, arguments: {} } })) as CallToolResult;
      expect(result.isError).toBe(true);
      expect(textOf(result)).toContain(`no tool is named "${name}" (did you mean "${tool}"?)`);
    }
    await expect(client.callTool({ name: 'everything:echo', arguments: { message: 'hi' } })).rejects.toThrow(
      'unknown tool "everything:echo" (did you mean "everything__echo"?)',
    );
    // A name far longer than any tool's is no typo: nothing is looked up for it, and the answer does not echo it whole.
    const huge = `everything__echo${'x'.repeat(100_000)}`;
    const long = (await client.callTool({ name: 'call_tool', arguments: { name: huge, arguments: {} } })) as CallToolResult;
    expect(textOf(long)).toMatch(/no tool is named "everything__echox+… \(100016 characters\)"\. Use the exact name/);
    expect(textOf(long).length).toBeLessThan(400);
    const echo = toCatalogTool('everything', { name: 'echo', inputSchema: { type: 'object' } });
    expect(closestToolNames(`${huge.slice(0, 17)}`, [echo])).toEqual(['everything__echo']);
    expect(closestToolNames(huge, [echo])).toEqual([]);
  });

  it('answers tools/list with a query with the top tools for it', async () => {
    const { tools } = await client.request(
      { method: 'tools/list', params: { query: 'write text to a file' } },
      ListToolsResultSchema,
    );
    expect(tools.length).toBeLessThanOrEqual(5);
    expect(tools[0]!.name).toBe('filesystem__write_file');
  });
});

describe('exposure over Streamable HTTP', () => {
  let gateway: Gateway;
  let http: RunningHttpServer;
  const clients: Client[] = [];

  beforeAll(async () => {
    const path = await writeConfig(
      dir.path,
      config(
        dir.path,
        { mode: 'search' },
        {
          principals: {
            reader: { allow: ['memory:*'], tokenHashes: [sha256(READER_TOKEN)] },
            full: { allow: ['*:*'], tokenHashes: [sha256(FULL_TOKEN)] },
          },
        },
      ),
      'http.json',
    );
    ({ gateway, http } = await startGateway(path));
  });
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await http?.close();
    await gateway?.stop();
  });

  it('reports the active embedder and index in status', () => {
    expect(gateway.status().retrieval).toMatchObject({ state: 'ready', embedder: 'use-lite', retriever: 'hybrid', tools: gateway.catalog.size });
  });

  it('search_tools and call_tool work end to end', async () => {
    const client = await connectHttp(http.url, FULL_TOKEN);
    clients.push(client);
    const found = await search(client, 'remember that Alice works at Acme');
    expect(found.map((tool) => tool.name)).toContain('memory__create_entities');
    const result = (await client.callTool({
      name: 'call_tool',
      arguments: {
        name: 'memory__create_entities',
        arguments: { entities: [{ name: 'Alice', entityType: 'person', observations: ['works at Acme'] }] },
      },
    })) as CallToolResult;
    expect(result.isError ?? false).toBe(false);
    const graph = await client.callTool({ name: 'call_tool', arguments: { name: 'memory__read_graph' } });
    expect(textOf(graph)).toContain('works at Acme');
  });

  it("counts and names in search_tools' description only the tools and servers the caller may call", async () => {
    const reader = await connectHttp(http.url, READER_TOKEN);
    const full = await connectHttp(http.url, FULL_TOKEN);
    clients.push(reader, full);
    const described = async (client: Client) => (await client.listTools()).tools.find((tool) => tool.name === 'search_tools')!.description!;
    const memoryTools = gateway.catalog.all().filter((tool) => tool.server === 'memory').length;
    expect(await described(reader)).toMatch(new RegExp(`among the ${memoryTools} tools of the connected servers: memory \\([^)]*\\)\\. They`));
    expect(await described(full)).toContain(`among the ${gateway.catalog.size} tools of the connected servers: `);
    expect(await described(full)).toMatch(/: .*everything/);
  });

  it('ranks only the tools the caller may call, before the top-k cut', async () => {
    const reader = await connectHttp(http.url, READER_TOKEN);
    clients.push(reader);
    const found = await search(reader, 'write text to a file', 5);
    expect(found).toHaveLength(5);
    expect(found.every((tool) => tool.server === 'memory')).toBe(true);
  });

  it('suggests for a name no tool has only tools the caller may call', async () => {
    const reader = await connectHttp(http.url, READER_TOKEN);
    clients.push(reader);
    const callTool = async (name: string) => textOf(await reader.callTool({ name: 'call_tool', arguments: { name } }));
    expect(await callTool('memory:read_graph')).toContain('no tool is named "memory:read_graph" (did you mean "memory__read_graph"?)');
    expect(await callTool('Everything__Echo')).not.toContain('did you mean');
  });

  it('POST /v1/route returns tool definitions in the requested format', async () => {
    const route = (body: unknown, token = FULL_TOKEN) =>
      fetch(http.url.replace(/\/mcp$/, '/v1/route'), {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(body),
      });
    const openai = await route({ query: 'write text to a file', limit: 3, format: 'openai' });
    expect(openai.status).toBe(200);
    const openaiBody = (await openai.json()) as { tools: Array<{ type: string; function: { name: string; parameters: unknown } }> };
    expect(openaiBody.tools).toHaveLength(3);
    expect(openaiBody.tools[0]).toMatchObject({ type: 'function', function: { name: 'filesystem__write_file' } });

    const anthropic = (await (await route({ query: 'write text to a file', format: 'anthropic' })).json()) as {
      tools: Array<{ name: string; input_schema: unknown }>;
    };
    expect(anthropic.tools[0]).toMatchObject({ name: 'filesystem__write_file', input_schema: { type: 'object' } });

    const mcp = (await (await route({ query: 'write text to a file', limit: 1 })).json()) as { tools: Array<{ name: string; inputSchema: unknown }> };
    expect(mcp.tools).toEqual([expect.objectContaining({ name: 'filesystem__write_file', inputSchema: expect.any(Object) })]);

    const filtered = (await (await route({ query: 'write text to a file' }, READER_TOKEN)).json()) as { tools: Array<{ name: string }> };
    expect(filtered.tools.length).toBeGreaterThan(0);
    expect(filtered.tools.every((tool) => tool.name.startsWith('memory__'))).toBe(true);

    const bad = await route({ query: '', format: 'gemini' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/query.*format|format.*query/s);
    expect((await route({ query: 'x' }, 'wrong-token')).status).toBe(401);
  });

  it('POST /v1/route refuses unknown keys, as createRouter().route() does, naming the key it likely meant', async () => {
    const response = await fetch(http.url.replace(/\/mcp$/, '/v1/route'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${FULL_TOKEN}` },
      body: JSON.stringify({ query: 'read a file', fromat: 'openai', limit: 1 }),
    });
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as { error: { message: string } };
    expect(error.message).toContain('unknown key "fromat" (did you mean "format"?)');
  });
});

describe('exposure mode dynamic', () => {
  let gateway: Gateway;
  let http: RunningHttpServer;
  let client: Client;

  beforeAll(async () => {
    const path = await writeConfig(dir.path, config(dir.path, { mode: 'dynamic', maxSessionTools: 4 }), 'dynamic.json');
    ({ gateway, http } = await startGateway(path));
    client = await connectHttp(http.url);
  });
  afterAll(async () => {
    await client?.close();
    await http?.close();
    await gateway?.stop();
  });

  it('adds found tools to the session list, announces it, and drops the least recently used', async () => {
    const names = async () => (await client.listTools()).tools.map((tool) => tool.name);
    expect(await names()).toEqual(['search_tools', 'call_tool']);
    let notifications = 0;
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
      notifications++;
    });

    const files = await search(client, 'write text to a file', 3);
    await waitFor(() => notifications >= 1, 'tools/list_changed after the search');
    expect(await names()).toEqual(['search_tools', 'call_tool', ...files.map((tool) => tool.name)]);

    // A found tool is callable under its own name, which also makes it the most recently used.
    const oldest = files[2]!.name;
    await client.callTool({ name: files[2]!.name, arguments: { path: join(dir.path, 'files', 'missing.txt') } });

    const memory = await search(client, 'remember that Alice works at Acme', 2);
    await waitFor(() => notifications >= 2, 'a second tools/list_changed');
    const listed = await names();
    expect(listed).toHaveLength(2 + 4);
    expect(listed.slice(2, 4)).toEqual(memory.map((tool) => tool.name));
    expect(listed).toContain(oldest);
    // files[1] was least recently used: it left to keep the session at four tools.
    expect(listed).not.toContain(files[1]!.name);

    // A search with no good match adds nothing: its tools would push those out.
    const nonsense = (await client.callTool({ name: 'search_tools', arguments: { query: 'bake a chocolate cake for the birthday party', limit: 3 } })) as CallToolResult;
    expect((nonsense.structuredContent as { match: string }).match).toBe('none');
    expect(await names()).toEqual(listed);
  });

  it("says in search_tools' description that found tools join the list, where search mode says to use call_tool", async () => {
    const description = (await client.listTools()).tools.find((tool) => tool.name === 'search_tools')!.description!;
    expect(description).toContain('Most are not in your tool list');
    expect(description).toContain('The tools of a good match join your tool list: call them by that exact name (or with call_tool).');
    expect(description).not.toContain('Then run the tool with call_tool');
  });
});

describe('exposure mode all', () => {
  it('lists every tool, and only the top ones for a tools/list query', async () => {
    const path = await writeConfig(dir.path, config(dir.path, { mode: 'all' }), 'all.json');
    const { gateway, http } = await startGateway(path);
    const client = await connectHttp(http.url);
    try {
      expect((await client.listTools()).tools).toHaveLength(gateway.catalog.size);
      const { tools } = await client.request(
        { method: 'tools/list', params: { query: 'remember that Alice works at Acme' } },
        ListToolsResultSchema,
      );
      expect(tools.length).toBeLessThanOrEqual(5);
      expect(tools[0]!.name).toMatch(/^memory__/);
    } finally {
      await client.close();
      await http.close();
      await gateway.stop();
    }
  });
});

describe('search_tools description on a catalog of many servers', () => {
  it('names the servers with the most tools, up to the cap, and counts the others', async () => {
    const stateDir = join(dir.path, 'many-servers');
    const config = parseConfig({ stateDir, exposure: { mode: 'search' }, retrieval: { retriever: 'bm25' }, pinning: 'off' }, 'test');
    const gateway = createGateway({ path: join(stateDir, 'toolscope.json'), baseDir: stateDir, config }, { logger: createLogger('warn') });
    // Server sN offers N + 1 tools: the largest are s29 down to s10.
    const serverCount = MAX_LISTED_SERVERS + 10;
    for (let n = 0; n < serverCount; n++) {
      const tools = Array.from({ length: n + 1 }, (_, i) => ({ name: `tool_${i}`, description: `Tool ${i} of s${n}.`, inputSchema: { type: 'object' as const } }));
      gateway.catalog.setServerTools(`s${n}`, tools.map((tool) => toCatalogTool(`s${n}`, tool)));
    }
    await gateway.start();
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await gateway.createSession(LOCAL_PRINCIPAL).connect(serverSide);
    const client = new Client({ name: 'many-servers-test', version: '1.0.0' });
    await client.connect(clientSide);
    try {
      const description = (await client.listTools()).tools.find((tool) => tool.name === 'search_tools')!.description!;
      const listed = Array.from({ length: MAX_LISTED_SERVERS }, (_, i) => `s${i + 10}`).join(', ');
      expect(description).toContain(`among the ${(serverCount * (serverCount + 1)) / 2} tools of the connected servers: ${listed}, and 10 more. `);
      expect(description).not.toMatch(/\bs9\b/);
    } finally {
      await client.close();
      await gateway.stop();
    }
  });
});

describe('exposure.pinned names no server offers', () => {
  it('are warned of once the servers have connected, with the closest names of that server', async () => {
    const pinned = ['everything__echo', 'everything__ecko', 'memory__read_graph'];
    const path = await writeConfig(dir.path, config(dir.path, { mode: 'search', pinned }, { stateDir: join(dir.path, 'pinned-state') }), 'pinned.json');
    const serve = await serveHttpProcess(path, { logLevel: 'warn' });
    try {
      const warning = await waitFor(() => serve.stderr().split('\n').find((line) => line.includes('exposure.pinned[1]')), 'the warning', 90_000);
      expect(warning).toContain('exposure.pinned[1]: server \\"everything\\" offers no tool \\"everything__ecko\\" (did you mean \\"everything__echo\\"?); it is listed nowhere');
      // A tool that exists, and one of a server that is configured and connected: no warning.
      expect(serve.stderr()).not.toMatch(/exposure\.pinned\[[02]\]/);
    } finally {
      await serve.stop();
    }
  });

  it('are warned of after an edit of exposure.pinned while serving, once per such edit', async () => {
    const stateDir = join(dir.path, 'pinned-live-state');
    const start = { stateDir, servers: { memory: servers.memory() }, exposure: { mode: 'search', pinned: ['memory__read_graph'] }, retrieval: { retriever: 'bm25' } };
    const path = await writeConfig(dir.path, start, 'pinned-live.json');
    const serve = await serveHttpProcess(path, { logLevel: 'warn' });
    const edit = (changes: Record<string, unknown>) => writeFile(path, JSON.stringify({ ...start, ...changes }, null, 2));
    const reload = async () => (await readRunRecords(stateDir))[0]?.status?.reload;
    const warnings = (typo: string) => serve.stderr().split('\n').filter((line) => line.includes(`offers no tool \\"${typo}\\"`));
    try {
      await waitFor(async () => (await readRunRecords(stateDir))[0]?.status?.servers.find((server) => server.name === 'memory')?.state === 'ready' || undefined, 'memory ready');
      await edit({ exposure: { mode: 'search', pinned: ['memory__read_graph', 'memory__read_grph'] } });
      const [warning] = await waitFor(() => (warnings('memory__read_grph').length > 0 ? warnings('memory__read_grph') : undefined), 'the warning of the edit');
      expect(warning).toContain('exposure.pinned[1]: server \\"memory\\" offers no tool \\"memory__read_grph\\" (did you mean \\"memory__read_graph\\"?); it is listed nowhere');
      expect(warning).toContain('a pinned tool name names no tool');
      // An edit of another section says nothing of the pinned names; the next edit of them does, of its own names.
      await edit({ exposure: { mode: 'search', pinned: ['memory__read_graph', 'memory__read_grph'] }, approval: { timeoutSeconds: 30 } });
      await waitFor(async () => (await reload())?.applied?.includes('approval') || undefined, 'the approval edit applied');
      await edit({ exposure: { mode: 'search', pinned: ['memory__read_graph', 'memory__serch_nodes'] }, approval: { timeoutSeconds: 30 } });
      await waitFor(() => warnings('memory__serch_nodes')[0], 'the warning of the second pinned edit');
      expect(warnings('memory__read_grph')).toHaveLength(1);
      expect(warnings('memory__serch_nodes')).toHaveLength(1);
      expect(serve.stderr()).not.toMatch(/exposure\.pinned\[0\]/);
    } finally {
      await serve.stop();
    }
  }, 120_000);
});
