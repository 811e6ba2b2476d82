import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../src/config/load.js';
import { createLogger, type Logger } from '../src/log.js';
import { RateLimiter } from '../src/policy/ratelimit/rate-limiter.js';
import { EmbeddingCache } from '../src/retrieval/embedding-cache.js';
import type { RecentSearch } from '../src/retrieval/recent-searches.js';
import { maskedRedisUrl } from '../src/state/redis/redis-connection.js';
import { RedisState } from '../src/state/redis/redis-state.js';
import { StateUnavailableError } from '../src/state/unavailable.js';
import { countingEmbedder } from './support/retrieval.js';
import { callContext, policyConfig, run, tool } from './support/policy.js';
import { Approvals } from '../src/policy/approval/approvals.js';
import { ClientAsks } from '../src/policy/approval/client-asks.js';
import { AuditTrail } from '../src/policy/audit/audit-trail.js';
import { Redactor } from '../src/policy/audit/redactor.js';
import { approveStage } from '../src/pipeline/stages/approve.js';
import { auditStage } from '../src/pipeline/stages/audit.js';
import { argumentCheck } from '../src/pipeline/stages/validate.js';
import { ArgumentRules } from '../src/policy/rules/argument-rules.js';
import { SchemaValidator } from '../src/policy/rules/schema-validator.js';
import { startRedis, type RedisServer } from '../eval/bench/redis-server.js';
import { ROOT, waitFor } from './support/toolscope-cli.js';
import { loadEmbedder } from '../src/embedding/index.js';

const logger = createLogger('silent');
const echo = tool('everything', { name: 'echo' });
let redis: RedisServer;
const opened: RedisState[] = [];

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await Promise.all(opened.map((state) => state.close()));
  await redis.stop();
});

/** One replica's view of the shared state. */
async function replicaState(keyPrefix = 'test:', replicaLogger: Logger = logger): Promise<RedisState> {
  const config = parseConfig({ state: { backend: 'redis', url: redis.url, keyPrefix } }, 'toolscope.json').state;
  if (config.backend !== 'redis') throw new Error('expected the redis backend');
  const state = new RedisState(config, replicaLogger);
  await state.open();
  opened.push(state);
  return state;
}

describe('state config', () => {
  it('defaults to the file backend and names what is wrong in a redis entry', () => {
    expect(parseConfig({}, 'toolscope.json').state).toEqual({ backend: 'file' });
    expect(parseConfig({ state: { backend: 'redis', url: 'redis://cache:6379' } }, 'toolscope.json').state).toEqual({
      backend: 'redis',
      url: 'redis://cache:6379',
      keyPrefix: 'toolscope:',
      embeddings: 'shared',
      commandTimeoutMs: 2000,
    });
    for (const [state, problem] of [
      [{ backend: 'memcached' }, /state\.backend: must be \{"backend": "file"\} or \{"backend": "redis"/],
      [{ backend: 'redis' }, /state\.url: required/],
      [{ backend: 'redis', url: 'http://cache' }, /state\.url: must start with redis:\/\//],
      [{ backend: 'file', url: 'redis://x' }, /state: unknown key "url" \(known keys: backend\)/],
    ] as const) {
      expect(() => parseConfig({ state }, 'toolscope.json')).toThrow(ConfigError);
      expect(() => parseConfig({ state }, 'toolscope.json')).toThrow(problem);
    }
  });

  it('never shows a password of the URL', () => {
    expect(maskedRedisUrl('redis://:s3cret@cache:6379/0')).toBe('redis://***@cache:6379/0');
    expect(maskedRedisUrl('rediss://user:s3cret@cache:6380')).toBe('rediss://***@cache:6380');
    expect(maskedRedisUrl('redis://cache:6379')).toBe('redis://cache:6379');
  });
});

describe('rate buckets in Redis', () => {
  it('holds one limit across replicas: N calls in total, not N per replica, and a refused call takes nothing', async () => {
    const replicas = await Promise.all([replicaState('rate1:'), replicaState('rate1:'), replicaState('rate1:')]);
    const limits = policyConfig({ rateLimits: { principal: { capacity: 5, refillPerSecond: 0.01 }, tool: { capacity: 100, refillPerSecond: 0.01 } } }).rateLimits;
    const limiters = replicas.map((state) => new RateLimiter(limits, state.rateBuckets));
    // 30 concurrent calls, round robin over the three replicas.
    const decisions = await Promise.all(Array.from({ length: 30 }, (_, i) => limiters[i % 3]!.take('agent', echo)));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(5);
    expect(decisions.find((d) => !d.allowed)).toEqual({ allowed: false, rule: 'rateLimits.principal', counts: 'calls', retryAfterSeconds: 100 });
    // The 25 refused calls took no token from the per-tool bucket: 95 of its 100 are left.
    const toolOnly = new RateLimiter(policyConfig({ rateLimits: { tool: { capacity: 100, refillPerSecond: 0.01 } } }).rateLimits, replicas[0]!.rateBuckets);
    const left = await Promise.all(Array.from({ length: 96 }, () => toolOnly.take('agent', echo)));
    expect(left.filter((d) => d.allowed)).toHaveLength(95);
  });

  it('refills by Redis time and keeps principals apart', async () => {
    const state = await replicaState('rate2:');
    const limiter = new RateLimiter(policyConfig({ rateLimits: { principal: { capacity: 1, refillPerSecond: 5 } } }).rateLimits, state.rateBuckets);
    expect(await limiter.take('agent', echo)).toEqual({ allowed: true });
    expect(await limiter.take('agent', echo)).toEqual({ allowed: false, rule: 'rateLimits.principal', counts: 'calls', retryAfterSeconds: 1 });
    expect(await limiter.take('other', echo)).toEqual({ allowed: true });
    await waitFor(async () => (await limiter.take('agent', echo)).allowed || undefined, 'a refilled token', 2000);
  });
});

describe('Redis out of reach', () => {
  it('fails closed at once while Redis is down, and recovers by itself when it is back', async () => {
    const state = await replicaState('down:');
    const limiter = new RateLimiter(policyConfig().rateLimits, state.rateBuckets);
    expect(await limiter.take('agent', echo)).toEqual({ allowed: true });
    await redis.kill();
    await waitFor(() => !state.status().available || undefined, 'the connection to notice Redis died', 5000);
    const started = Date.now();
    // No limit is configured, and the call is still refused: the state that would say otherwise is unknown.
    await expect(limiter.take('agent', echo)).rejects.toThrow(StateUnavailableError);
    await expect(limiter.take('agent', echo)).rejects.toThrow(/shared state \(redis redis:\/\/127\.0\.0\.1:\d+\) is unavailable/);
    expect(Date.now() - started).toBeLessThan(500);
    await redis.start();
    await waitFor(() => state.status().available || undefined, 'the reconnection', 10_000);
    expect(await limiter.take('agent', echo)).toEqual({ allowed: true });
  });
});

describe('shared embeddings', () => {
  it('embeds a text once for every replica', async () => {
    const [first, second] = await Promise.all([replicaState('emb:'), replicaState('emb:')]);
    const embedder = await loadEmbedder({ backend: 'use-lite' }, logger);
    const a = countingEmbedder(embedder);
    const cacheA = await EmbeddingCache.open(a, first.sharedVectors!(a));
    const [vector] = await cacheA.vectorsFor([{ key: 'k1', text: 'read a file' }]);
    expect(a.texts).toBe(1);
    const b = countingEmbedder(embedder);
    const cacheB = await EmbeddingCache.open(b, second.sharedVectors!(b));
    const [shared] = await cacheB.vectorsFor([{ key: 'k1', text: 'read a file' }]);
    expect(b.texts).toBe(0);
    expect(Array.from(shared!)).toEqual(Array.from(vector!));

    // A later revision of the same model computes other numbers: it shares nothing with the earlier one, and names
    // the earlier hash for the admin to delete.
    const revised = countingEmbedder({ ...embedder, vectorRevision: 2 });
    const logLines: string[] = [];
    const upgraded = await replicaState('emb:', pino({ level: 'info' }, { write: (line: string) => void logLines.push(line) }));
    const cacheC = await EmbeddingCache.open(revised, upgraded.sharedVectors!(revised));
    expect(cacheC.size).toBe(0);
    await cacheC.vectorsFor([{ key: 'k1', text: 'read a file' }]);
    expect(revised.texts).toBe(1);
    expect(logLines.map((line) => (JSON.parse(line) as { msg: string }).msg)).toContain(
      'emb:emb:use-lite holds use-lite vectors of an earlier revision, no longer read: delete it once no replica runs an older toolscope',
    );
  });
});

describe('recent searches in Redis', () => {
  const search = (n: number): RecentSearch => ({ query: `request ${n}`, top: `tool_${n % 7}` });
  const searches = (from: number, count: number) => Array.from({ length: count }, (_, i) => search(from + i));

  it('keeps the newest searches of every replica in one list, for a replica started later', async () => {
    const [first, second] = await Promise.all([replicaState('recent1:'), replicaState('recent1:')]);
    await first.recentSearches.append(searches(0, 150), 200);
    await second.recentSearches.append(searches(150, 100), 200);
    const later = await replicaState('recent1:');
    expect(await later.recentSearches.load()).toEqual(searches(50, 200));
    // Other deployments' searches are not mixed in.
    expect(await (await replicaState('recent1-other:')).recentSearches.load()).toEqual([]);
  });

  it('leaves out an entry that is not a recent search, with a warning naming the list', async () => {
    const logLines: string[] = [];
    const state = await replicaState('recent2:', pino({ level: 'warn' }, { write: (line: string) => void logLines.push(line) }));
    await state.recentSearches.append([search(1)], 200);
    const raw = new Redis(redis.url);
    try {
      await raw.rpush('recent2:recent-searches', 'not json', JSON.stringify({ query: 'list the files' }));
    } finally {
      raw.disconnect();
    }
    await state.recentSearches.append([search(2)], 200);
    expect(await state.recentSearches.load()).toEqual([search(1), search(2)]);
    expect(logLines.map((line) => (JSON.parse(line) as { msg: string }).msg)).toEqual([
      'recent2:recent-searches: 2 entries are not recent searches; left out',
    ]);
  });
});

describe('the approval queue in Redis', () => {
  const deleteEntities = tool('memory', { name: 'delete_entities', annotations: { readOnlyHint: false, destructiveHint: true, openWorldHint: false } });

  it('a call its client cancels while it waits is audited as cancelled by the client (not "denied by cancelled"), and leaves the queue', async () => {
    const state = await replicaState('approvals-cancel:');
    const config = policyConfig({ approval: { timeoutSeconds: 30 } });
    const approvals = new Approvals(config.approval, config.capabilities, state.approvals, new Redactor(), new ClientAsks(), logger);
    const dir = await mkdtemp(join(tmpdir(), 'toolscope-redis-audit-'));
    const trail = new AuditTrail(join(dir, 'audit.jsonl'), new Redactor());
    try {
      const cancel = new AbortController();
      const ctx = callContext(deleteEntities, {}, { name: 'ops' }, {}, cancel.signal);
      const call = run([auditStage(trail), approveStage(approvals, argumentCheck(new SchemaValidator(), new ArgumentRules({})))], ctx);
      const request = await waitFor(async () => (await state.approvals.pending())[0], 'the queued request');
      cancel.abort();
      expect((await call).reached).toBe(false);
      const [record] = (await readFile(join(dir, 'audit.jsonl'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(record).toMatchObject({ outcome: 'cancelled', principal: 'ops' });
      expect(record!.refusal).toBeUndefined();
      expect(record!.decisions).toEqual([
        { stage: 'approve', outcome: 'cancelled', reason: expect.stringMatching(new RegExp(`^cancelled by the client after \\d+\\.\\d s waiting for approval via queue ${request.id}$`)) },
      ]);
      expect(await state.approvals.request(request.id)).toBeUndefined();
    } finally {
      await trail.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a request whose replica was killed on this host is orphaned: left out of the waiting ones, an answer removes it; one of another host cannot be told and waits', async () => {
    const state = await replicaState('approvals-orphans:');
    const config = parseConfig({ state: { backend: 'redis', url: redis.url, keyPrefix: 'approvals-orphans:' } }, 'toolscope.json').state;
    // A real replica process queues a call, then dies with SIGKILL mid-wait.
    const replica = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        `import { RedisState } from './src/state/redis/redis-state.ts';
         import { createLogger } from './src/log.ts';
         const state = new RedisState(${JSON.stringify(config)}, createLogger('silent'));
         await state.open();
         const now = Date.now();
         const request = await state.approvals.submit({ callId: 'c1', principal: 'ops', tool: 'memory__delete_entities', server: 'memory', arguments: {}, rule: 'r',
           requestedAt: new Date(now).toISOString(), expiresAt: new Date(now + 60000).toISOString() });
         console.log(request.id);
         await state.approvals.wait(request.id, now + 60000, new AbortController().signal);`,
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    replica.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const id = await waitFor(() => /^([0-9a-f]{10})$/m.exec(out)?.[1], 'the replica to queue its call');
    const exited = once(replica, 'exit');
    replica.kill('SIGKILL');
    await exited;
    // One waiting on a replica elsewhere: its pid means nothing here.
    const elsewhere = await state.approvals.submit({
      callId: 'c2', principal: 'ops', tool: 'memory__delete_entities', server: 'memory', arguments: {}, rule: 'r',
      requestedAt: new Date().toISOString(), expiresAt: new Date(Date.now() + 60_000).toISOString(),
    });
    const raw = new Redis(redis.url);
    try {
      const key = `approvals-orphans:approval:${elsewhere.id}`;
      await raw.set(key, JSON.stringify({ ...elsewhere, waiter: { host: 'another-host', pid: replica.pid, instance: 'x' } }), 'KEEPTTL');
      expect((await state.approvals.pending()).map((request) => request.id)).toEqual([elsewhere.id]);
      expect(await state.approvals.orphaned()).toMatchObject([{ id, waiter: { pid: replica.pid } }]);
      expect(await state.approvals.decide(id, true, 'cli:test')).toBe('orphaned');
      expect(await raw.exists(`approvals-orphans:approval:${id}`)).toBe(0);
      expect(await raw.zrange('approvals-orphans:approvals:pending', 0, -1)).toEqual([elsewhere.id]);
      expect(await state.approvals.orphaned()).toEqual([]);
    } finally {
      raw.disconnect();
    }
  });
});
