import { networkInterfaces } from 'node:os';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ListToolsResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newBearerToken, tokenHash } from './support/bearer.js';
import { servers, tempDir, textOf, waitFor, waitForTools, writeConfig } from './support/toolscope-cli.js';
import { serveHttpProcess, type HttpServeProcess } from './support/serve-process.js';

/** The value of one sample line, e.g. `toolscope_calls_total{server="everything",outcome="ok"}`; undefined if absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('GET /metrics (Prometheus) of a real serve --http', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let serve: HttpServeProcess;
  let base: string;
  let client: Client;

  beforeAll(async () => {
    dir = await tempDir();
    const configPath = await writeConfig(dir.path, {
      exposure: { mode: 'all' },
      retrieval: { retriever: 'bm25' },
      servers: { everything: servers.everything() },
      // One search, then one per 1000 s: the second search is refused.
      rateLimits: { search: { capacity: 1, refillPerSecond: 0.001 } },
    });
    serve = await serveHttpProcess(configPath);
    base = serve.url.replace(/\/mcp$/, '');
    client = new Client({ name: 'metrics-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(serve.url)));
    await waitForTools(client, ['everything__echo']);
  });

  afterAll(async () => {
    await client?.close();
    await serve?.stop();
    await dir?.remove();
  });

  const scrape = async () => {
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return res.text();
  };

  it('counts calls by outcome, refusals by stage and rule, and times each stage', async () => {
    expect(textOf(await client.callTool({ name: 'everything__echo', arguments: { message: 'counted' } }))).toBe('Echo: counted');
    // The inputSchema wants a string: refused at the validate stage.
    const refused = await client.callTool({ name: 'everything__echo', arguments: { message: 42 } });
    expect(refused.isError).toBe(true);

    const text = await scrape();
    expect(sample(text, 'toolscope_calls_total{server="everything",outcome="ok"}')).toBe(1);
    expect(sample(text, 'toolscope_calls_total{server="everything",outcome="refused"}')).toBe(1);
    expect(sample(text, 'toolscope_refusals_total{stage="validate",reason="inputSchema"}')).toBe(1);
    expect(sample(text, 'toolscope_call_duration_seconds_count{server="everything",outcome="ok"}')).toBe(1);
    // Both calls pass authenticate, scope and validate; only the allowed one reaches forward.
    expect(sample(text, 'toolscope_stage_duration_seconds_count{stage="validate"}')).toBe(2);
    expect(sample(text, 'toolscope_stage_duration_seconds_count{stage="forward"}')).toBe(1);
    expect(sample(text, 'toolscope_stage_duration_seconds_sum{stage="forward"}')).toBeGreaterThan(0);
  });

  it('reports each server’s state, restarts and tools, sessions, pending approvals, state and the process', async () => {
    const text = await scrape();
    expect(sample(text, 'toolscope_server_state{server="everything",state="ready"}')).toBe(1);
    expect(sample(text, 'toolscope_server_restarts{server="everything"}')).toBe(0);
    expect(sample(text, 'toolscope_server_tools{server="everything"}')).toBeGreaterThan(5);
    expect(sample(text, 'toolscope_sessions')).toBe(1);
    expect(sample(text, 'toolscope_approvals_pending')).toBe(0);
    expect(sample(text, 'toolscope_state_available')).toBe(1);
    expect(sample(text, 'process_resident_memory_bytes')).toBeGreaterThan(0);

    const second = new Client({ name: 'metrics-test-2', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(new URL(serve.url));
    await second.connect(transport);
    expect(sample(await scrape(), 'toolscope_sessions')).toBe(2);
    await transport.terminateSession();
    await second.close();
    await waitFor(async () => sample(await scrape(), 'toolscope_sessions') === 1, 'the closed session to leave the gauge');
  });

  it('counts and times searches by retriever', async () => {
    const route = await fetch(`${base}/v1/route`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'echo a message back', limit: 3 }),
    });
    expect(route.status).toBe(200);
    const text = await scrape();
    expect(sample(text, 'toolscope_searches_total{retriever="bm25"}')).toBe(1);
    expect(sample(text, 'toolscope_search_duration_seconds_count{retriever="bm25"}')).toBe(1);
  });

  it('counts refused searches by entry and rule, apart from the searches run', async () => {
    const search = (query: string) =>
      fetch(`${base}/v1/route`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
    // The search of the test before took the one search the bucket holds.
    expect((await search('add two numbers')).status).toBe(429);
    await expect(client.request({ method: 'tools/list', params: { query: 'echo' } }, ListToolsResultSchema)).rejects.toThrow(/search rate limit reached/);
    const text = await scrape();
    expect(sample(text, 'toolscope_search_refusals_total{via="route",reason="rateLimits.search"}')).toBe(1);
    expect(sample(text, 'toolscope_search_refusals_total{via="tools/list",reason="rateLimits.search"}')).toBe(1);
    // A refused search runs no retrieval; calls are not searches, so the call refusals are untouched.
    expect(sample(text, 'toolscope_searches_total{retriever="bm25"}')).toBe(1);
    expect(sample(text, 'toolscope_refusals_total{stage="rate-limit",reason="rateLimits.search"}')).toBeUndefined();
  });
});

/** A non-loopback IPv4 address of this machine, if it has one. */
function externalAddress(): string | undefined {
  return Object.values(networkInterfaces())
    .flat()
    .find((address) => address && address.family === 'IPv4' && !address.internal)?.address;
}

describe('who may read /metrics (metrics.access)', () => {
  const adminToken = newBearerToken();
  const readerToken = newBearerToken();
  const principals = {
    admin: { allow: ['*:*'], admin: true, tokenHashes: [tokenHash(adminToken)] },
    reader: { allow: ['read'], tokenHashes: [tokenHash(readerToken)] },
  };
  let dir: Awaited<ReturnType<typeof tempDir>>;
  const running: HttpServeProcess[] = [];

  beforeAll(async () => {
    dir = await tempDir();
  });
  afterAll(async () => {
    await Promise.all(running.map((serve) => serve.stop()));
    await dir?.remove();
  });

  const start = async (name: string, config: Record<string, unknown>, listen?: string) => {
    const configPath = await writeConfig(dir.path, { retrieval: { retriever: 'bm25' }, servers: {}, principals, ...config }, `${name}.json`);
    const serve = await serveHttpProcess(configPath, listen ? { listen } : {});
    running.push(serve);
    return serve;
  };
  const errorOf = async (res: Response) => ((await res.json()) as { error: { message: string } }).error.message;

  it('loopback (default): served to this machine without a token, refused to another address', async () => {
    const external = externalAddress();
    const serve = await start('loopback', {}, external ? '0.0.0.0:0' : undefined);
    const port = new URL(serve.url).port;
    expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(200);
    if (!external) return;
    const fromNetwork = await fetch(`http://${external}:${port}/metrics`);
    expect(fromNetwork.status).toBe(403);
    expect(await errorOf(fromNetwork)).toMatch(/answers requests from this machine only \(metrics\.access is "loopback"/);
    // The probes answer there too: they say nothing a scraper could not see from the outside.
    expect((await fetch(`http://${external}:${port}/healthz`)).status).toBe(200);
  });

  it('admin: an admin principal’s bearer token, from loopback too', async () => {
    const serve = await start('admin', { metrics: { access: 'admin' } });
    const url = serve.url.replace(/\/mcp$/, '/metrics');
    const none = await fetch(url);
    expect(none.status).toBe(401);
    const reader = await fetch(url, { headers: { authorization: `Bearer ${readerToken}` } });
    expect(reader.status).toBe(403);
    expect(await errorOf(reader)).toBe('forbidden: principal reader is not an admin');
    const admin = await fetch(url, { headers: { authorization: `Bearer ${adminToken}` } });
    expect(admin.status).toBe(200);
    expect(await admin.text()).toContain('toolscope_calls_total');
  });

  it('off: no /metrics route; a bad value is refused naming the choices', async () => {
    const serve = await start('off', { metrics: { access: 'off' } });
    expect((await fetch(serve.url.replace(/\/mcp$/, '/metrics'))).status).toBe(404);
    await expect(start('bad', { metrics: { access: 'everyone' } })).rejects.toThrow(/metrics\.access/);
  });
});
