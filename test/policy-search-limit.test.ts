import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ListToolsResultSchema, McpError, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../src/config/load.js';
import { generateToken, hashToken } from '../src/policy/auth/token.js';
import { RateLimiter } from '../src/policy/ratelimit/rate-limiter.js';
import { LocalRateBuckets } from '../src/state/file/local-rate-buckets.js';
import { REFUSAL_META_KEY } from '../src/pipeline/refusal.js';
import { servers, tempDir, textOf, waitFor } from './support/toolscope-cli.js';
import { auditRecords, httpClient, policyConfig, refusalOf, startHttpGateway, tool } from './support/policy.js';

/** A clock the test moves by hand. */
function manualClock() {
  let now = 0;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('search rate limit: configuration', () => {
  it('limits searches by default: a burst of 60, then one a second, per principal', async () => {
    const clock = manualClock();
    const limiter = new RateLimiter(policyConfig().rateLimits, new LocalRateBuckets(clock.now));
    for (let i = 0; i < 60; i += 1) expect(await limiter.takeSearch('agent')).toEqual({ allowed: true });
    expect(await limiter.takeSearch('agent')).toEqual({ allowed: false, rule: 'rateLimits.search', counts: 'searches', retryAfterSeconds: 1 });
    expect(await limiter.takeSearch('other')).toEqual({ allowed: true });
    clock.advance(1000);
    expect(await limiter.takeSearch('agent')).toEqual({ allowed: true });
  });

  it('takes a principal\'s own search limit, or none with "off", and keeps searches apart from calls', async () => {
    const limiter = new RateLimiter(
      policyConfig({
        rateLimits: {
          principal: { capacity: 1, refillPerSecond: 0.01 },
          search: { capacity: 1, refillPerSecond: 0.01 },
          principals: { batch: { search: 'off' }, crawler: { search: { capacity: 2, refillPerSecond: 0.5 } } },
        },
      }).rateLimits,
      new LocalRateBuckets(manualClock().now),
    );
    for (let i = 0; i < 500; i += 1) expect((await limiter.takeSearch('batch')).allowed).toBe(true);
    expect((await limiter.takeSearch('crawler')).allowed).toBe(true);
    expect((await limiter.takeSearch('crawler')).allowed).toBe(true);
    expect(await limiter.takeSearch('crawler')).toEqual({ allowed: false, rule: 'rateLimits.principals.crawler.search', counts: 'searches', retryAfterSeconds: 2 });
    // Calls and searches draw on separate buckets: one of each fits, a second of either does not.
    const readGraph = tool('memory', { name: 'read_graph' });
    expect((await limiter.take('agent', readGraph)).allowed).toBe(true);
    expect((await limiter.takeSearch('agent')).allowed).toBe(true);
    expect(await limiter.take('agent', readGraph)).toMatchObject({ allowed: false, rule: 'rateLimits.principal' });
    expect(await limiter.takeSearch('agent')).toEqual({ allowed: false, rule: 'rateLimits.search', counts: 'searches', retryAfterSeconds: 100 });
  });

  it('turns off with "off" and names the field of a wrong value', async () => {
    const off = parseConfig({ rateLimits: { search: 'off' } }, 'toolscope.json');
    const limiter = new RateLimiter(off.rateLimits, new LocalRateBuckets());
    for (let i = 0; i < 500; i += 1) expect((await limiter.takeSearch('agent')).allowed).toBe(true);
    for (const [search, problem] of [
      [0, /rateLimits\.search: must be \{"capacity".*or "off"/],
      [{ capacity: 0, refillPerSecond: 1 }, /rateLimits\.search\.capacity/],
    ] as const) {
      expect(() => parseConfig({ rateLimits: { search } }, 'toolscope.json')).toThrow(ConfigError);
      expect(() => parseConfig({ rateLimits: { search } }, 'toolscope.json')).toThrow(problem);
    }
  });
});

const agentToken = generateToken();
const otherToken = generateToken();
/** Three searches in a burst, then one per 100 s: the fourth is refused with a retry-after of about 100 s. */
const SEARCH_LIMIT = { capacity: 3, refillPerSecond: 0.01 };
/** The retry-after of a refusal: 100 s less what the bucket refilled since the burst (seconds on a loaded machine). */
const RETRY_AFTER = expect.toSatisfy((seconds: unknown) => typeof seconds === 'number' && seconds > 90 && seconds <= 100);
const RETRY_TEXT = 'Retry after (9\\d|100) s\\.';

describe('search rate limit through a real gateway', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let gateway: Awaited<ReturnType<typeof startHttpGateway>>;
  const clients: Client[] = [];

  const connect = async (token: string) => {
    const client = await httpClient(gateway.url, token);
    clients.push(client);
    return client;
  };
  const searchTools = async (client: Client) =>
    (await client.callTool({ name: 'search_tools', arguments: { query: 'add entities to the knowledge graph' } })) as CallToolResult;
  const listWithQuery = (client: Client) =>
    client.request({ method: 'tools/list', params: { query: 'add entities to the knowledge graph' } }, ListToolsResultSchema);
  const route = (token: string) =>
    fetch(gateway.url.replace(/\/mcp$/, '/v1/route'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: 'add entities to the knowledge graph' }),
    });

  beforeAll(async () => {
    dir = await tempDir();
    gateway = await startHttpGateway(dir.path, {
      servers: { memory: servers.memory() },
      principals: {
        agent: { allow: ['*:*'], tokenHashes: [hashToken(agentToken)] },
        other: { allow: ['*:*'], tokenHashes: [hashToken(otherToken)] },
      },
      retrieval: { retriever: 'bm25' },
      rateLimits: { search: SEARCH_LIMIT },
    });
    await waitFor(() => gateway.gateway.catalog.get('memory__create_entities'), 'the memory server');
  });

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await gateway?.close();
    await dir?.remove();
  });

  it('refuses a principal over its search limit on every search entry, naming the rule and the retry-after', async () => {
    const agent = await connect(agentToken);
    for (let i = 0; i < SEARCH_LIMIT.capacity; i += 1) {
      const found = await searchTools(agent);
      expect(found.isError, textOf(found)).toBeFalsy();
      expect(textOf(found)).toContain('memory__');
    }

    const refused = await searchTools(agent);
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toMatch(
      new RegExp(`^toolscope refused this call at the rate-limit stage: search rate limit reached for agent \\(rule rateLimits\\.search\\)\\. ${RETRY_TEXT}$`),
    );
    expect(refusalOf(refused)).toEqual({
      stage: 'rate-limit',
      reason: 'search rate limit reached for agent',
      rule: 'rateLimits.search',
      retryAfterSeconds: RETRY_AFTER,
    });

    // The same bucket covers `tools/list` with a query: a JSON-RPC error with the same facts.
    const listed = await listWithQuery(agent).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(listed).toBeInstanceOf(McpError);
    expect(listed).toMatchObject({
      code: -32000,
      message: expect.stringMatching(
        new RegExp(`refused this search at the rate-limit stage: search rate limit reached for agent \\(rule rateLimits\\.search\\)\\. ${RETRY_TEXT}`),
      ),
      data: { [REFUSAL_META_KEY]: { stage: 'rate-limit', rule: 'rateLimits.search', retryAfterSeconds: RETRY_AFTER } },
    });
    // A plain listing is not a search.
    expect((await agent.listTools()).tools.map((tool) => tool.name)).toEqual(['search_tools', 'call_tool']);

    // And the route API: 429 with Retry-After and a JSON-RPC error body.
    const routed = await route(agentToken);
    expect(routed.status).toBe(429);
    expect(Number(routed.headers.get('retry-after'))).toEqual(RETRY_AFTER);
    expect(await routed.json()).toMatchObject({
      jsonrpc: '2.0',
      error: { code: -32000, message: expect.stringMatching(new RegExp(`search rate limit reached for agent \\(rule rateLimits\\.search\\)\\. ${RETRY_TEXT}`)) },
      id: null,
    });

    // Calls are not searches: the agent can still use the tools it found.
    const call = (await agent.callTool({ name: 'call_tool', arguments: { name: 'memory__read_graph' } })) as CallToolResult;
    expect(call.isError, textOf(call)).toBeFalsy();
  });

  it('leaves other principals their own searches', async () => {
    const other = await connect(otherToken);
    expect((await searchTools(other)).isError).toBeFalsy();
    expect((await listWithQuery(other)).tools.map((tool) => tool.name)).toContain('memory__create_entities');
    const routed = await route(otherToken);
    expect(routed.status).toBe(200);
    expect(((await routed.json()) as { matches: unknown[] }).matches.length).toBeGreaterThan(0);
  });

  it('audits each refused search with the principal, the entry and the rule', async () => {
    const refusals = (await auditRecords(dir.path)).filter((record) => record.event === 'search-refused');
    expect(refusals).toEqual(
      ['search_tools', 'tools/list', 'route'].map((via) => ({
        time: expect.any(String),
        event: 'search-refused',
        principal: 'agent',
        via,
        stage: 'rate-limit',
        reason: 'search rate limit reached for agent',
        rule: 'rateLimits.search',
        retryAfterSeconds: RETRY_AFTER,
        credential: { kind: 'token', config: 'principals.agent.tokenHashes[0]' },
      })),
    );
  });
});
