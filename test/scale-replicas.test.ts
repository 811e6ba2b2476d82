import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newBearerToken, tokenHash } from './support/bearer.js';
import { runCli, textOf, waitFor } from './support/toolscope-cli.js';
import { tempDir, type TempDir } from './support/temp-dir.js';
import { startRedis, type RedisServer } from '../eval/bench/redis-server.js';
import { startReplicas, type Replicas } from './support/replicas.js';
import { connectHttpClient, fixtureServer } from './support/serve-process.js';

/**
 * Three real `toolscope serve --http` replicas sharing one real Redis, behind a round-robin balancer (no session
 * affinity): limits, approvals and quarantine hold across them, and Redis dying fails calls closed until it is back.
 */

const LIMIT = 6;
const tokens = { limited: newBearerToken(), agent: newBearerToken(), approver: newBearerToken() };
let folder: TempDir;
let redis: RedisServer;
let cluster: Replicas;
const clients: Client[] = [];

async function client(url: string, token: string): Promise<Client> {
  const connected = await connectHttpClient(url, token, 'scale-test');
  clients.push(connected);
  return connected;
}

async function callTool(target: Client, name: string, args: Record<string, unknown> = {}): Promise<CallToolResult> {
  return (await target.callTool({ name, arguments: args })) as CallToolResult;
}

async function auditLines(stateDir: string): Promise<Array<Record<string, unknown>>> {
  const text = await readFile(join(stateDir, 'audit.jsonl'), 'utf8').catch(() => '');
  return text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
}

beforeAll(async () => {
  folder = await tempDir();
  redis = await startRedis();
  cluster = await startReplicas(folder.path, {
    // A command slower than the timeout fails its call closed; on a loaded test machine that is not what is tested here.
    state: { backend: 'redis', url: redis.url, commandTimeoutMs: 10_000 },
    exposure: { mode: 'all' },
    servers: { weather: fixtureServer('rug-pull-server'), probe: fixtureServer('probe-server') },
    principals: {
      limited: { allow: ['*:*'], tokenHashes: [tokenHash(tokens.limited)] },
      agent: { allow: ['*:*'], tokenHashes: [tokenHash(tokens.agent)] },
      approver: { allow: ['*:*'], admin: true, tokenHashes: [tokenHash(tokens.approver)] },
    },
    // LIMIT calls a minute for `limited`.
    rateLimits: { principals: { limited: { principal: { capacity: LIMIT, refillPerSecond: LIMIT / 60 } } } },
    approval: { required: ['probe:echo'], timeoutSeconds: 60 },
  });
  // Every replica has its servers up before the tests start.
  await Promise.all(
    cluster.replicas.map(async (replica) => {
      const direct = await client(replica.url, tokens.agent);
      await waitFor(async () => {
        const { tools } = await direct.listTools();
        return tools.some((t) => t.name === 'weather__get_weather') && tools.some((t) => t.name === 'probe__echo') ? true : undefined;
      }, `${replica.id}'s tools`);
    }),
  );
}, 120_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
  await cluster?.stop();
  await redis?.stop();
  await folder?.remove();
});

describe('three replicas, one Redis', () => {
  it(`a limit of ${LIMIT} calls a minute allows ${LIMIT} in total across replicas, not ${3 * LIMIT}`, async () => {
    const roundRobin = await client(cluster.balancerUrl, tokens.limited);
    const results: CallToolResult[] = [];
    for (let i = 0; i < 3 * LIMIT; i++) results.push(await callTool(roundRobin, 'weather__get_weather', { city: `c${i}` }));
    const allowed = results.filter((r) => !r.isError);
    expect(allowed, results.map((r) => textOf(r)).join('\n')).toHaveLength(LIMIT);
    expect(textOf(results.find((r) => r.isError))).toMatch(/rate limit reached for limited .*rateLimits\.principals\.limited\.principal/);
    // The calls really were spread: every replica answered some and refused some, each on its own audit log.
    for (const replica of cluster.replicas) {
      const calls = (await auditLines(replica.stateDir)).filter((r) => r.principal === 'limited');
      expect(calls.length, replica.id).toBeGreaterThan(0);
      expect(calls.every((r) => r.replica === replica.id)).toBe(true);
    }
  });

  it('an approval granted on replica 1 releases a call waiting on replica 3', async () => {
    const onThree = await client(cluster.replicas[2]!.url, tokens.agent);
    const waiting = callTool(onThree, 'probe__echo', { text: 'approved across replicas' });
    const headers = { authorization: `Bearer ${tokens.approver}`, 'content-type': 'application/json' };
    const approvalsOnOne = new URL('/v1/approvals', cluster.replicas[0]!.url);
    const pending = await waitFor(async () => {
      const { approvals } = (await (await fetch(approvalsOnOne, { headers })).json()) as { approvals: Array<{ id: string; tool: string }> };
      return approvals.find((a) => a.tool === 'probe__echo');
    }, 'the call on replica 3 to show in the queue on replica 1');
    const answer = await fetch(approvalsOnOne, { method: 'POST', headers, body: JSON.stringify({ id: pending.id, decision: 'approve' }) });
    expect(answer.status).toBe(200);
    const started = Date.now();
    const result = await waiting;
    expect(textOf(result)).toBe('approved across replicas');
    expect(Date.now() - started).toBeLessThan(1000);
    const record = (await auditLines(cluster.replicas[2]!.stateDir)).find((r) => r.tool === 'probe__echo');
    expect(record).toMatchObject({ replica: 'replica-3', outcome: 'ok' });
    expect(JSON.stringify(record)).toContain(`approved by http:approver via queue ${pending.id}`);
  });

  it('a quarantine on replica 2 refuses the tool on replicas 1 and 3 within a second', async () => {
    const [one, two, three] = await Promise.all(cluster.replicas.map((replica) => client(replica.url, tokens.agent)));
    for (const target of [one!, three!]) expect((await callTool(target, 'weather__get_weather', { city: 'Oslo' })).isError).toBeFalsy();
    // Only replica 2's downstream changes its definition: a rug pull seen there alone.
    await callTool(two!, 'weather__rotate_description');
    await waitFor(async () => ((await callTool(two!, 'weather__get_weather', { city: 'Oslo' })).isError ? true : undefined), 'quarantine on replica 2', 10_000);
    const quarantinedAt = Date.now();
    for (const target of [one!, three!]) {
      const refused = await waitFor(async () => {
        const result = await callTool(target, 'weather__get_weather', { city: 'Oslo' });
        return result.isError ? result : undefined;
      }, 'the quarantine to reach the other replicas', 5_000);
      expect(textOf(refused)).toMatch(/weather__get_weather is quarantined/);
    }
    expect(Date.now() - quarantinedAt).toBeLessThan(1500);
  });

  it('a token made with the CLI on one replica\'s config works on every replica; revoked, it is refused by all', async () => {
    const configPath = cluster.replicas[0]!.configPath;
    const created = await runCli(['--config', configPath, 'token', 'create', 'ci-bot', '--scopes', 'read', 'probe:*']);
    expect(created.code, created.stderr).toBe(0);
    const token = created.stdout.trim();
    const id = /token ([0-9a-f]{8})/.exec(created.stderr)![1]!;
    for (const replica of cluster.replicas) {
      const direct = await client(replica.url, token);
      expect(textOf(await callTool(direct, 'probe__sleep', { ms: 1 }))).toBe('slept 1');
    }
    expect((await runCli(['--config', configPath, 'token', 'revoke', id])).code).toBe(0);
    for (const replica of cluster.replicas) {
      const answer = await fetch(replica.url, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
      });
      expect(answer.status, replica.id).toBe(401);
    }
  });

  it('Redis killed mid-run: calls fail closed with the reason, and work again once it is back', async () => {
    const roundRobin = await client(cluster.balancerUrl, tokens.agent);
    expect((await callTool(roundRobin, 'probe__sleep', { ms: 1 })).isError).toBeFalsy();
    await redis.kill();
    const outcomes: string[] = [];
    for (let i = 0; i < 6; i++) {
      const outcome = await callTool(roundRobin, 'probe__sleep', { ms: 1 }).then(
        (result) => (result.isError ? textOf(result) : 'ok'),
        (error: unknown) => String(error),
      );
      outcomes.push(outcome);
    }
    expect(outcomes).not.toContain('ok');
    for (const outcome of outcomes) expect(outcome).toMatch(/shared state \(redis redis:\/\/127\.0\.0\.1:\d+\) is unavailable/);
    await redis.start();
    await waitFor(async () => {
      const results = await Promise.all([0, 1, 2].map(() => callTool(roundRobin, 'probe__sleep', { ms: 1 }).catch(() => undefined)));
      return results.every((r) => r && !r.isError) ? true : undefined;
    }, 'calls to work again on every replica', 20_000);
  });
});
