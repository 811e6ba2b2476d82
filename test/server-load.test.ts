import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAuditFile } from './support/audit-file.js';
import { newBearerToken, tokenHash } from './support/bearer.js';
import { DIRECT_EXPOSURE_CONFIG } from './support/direct-exposure-config.js';
import { servers, tempDir, textOf, waitForTools, writeConfig } from './support/toolscope-cli.js';
import { connectHttpClient, serveHttpProcess, type HttpServeProcess } from './support/serve-process.js';

/**
 * Load through the whole pipeline: 32 concurrent Streamable HTTP clients, authenticated by bearer token, make
 * 10,000 calls to server-everything's `echo` (scopes, argument rules, a high rate limit and the audit log all on).
 * Zero errors, and exactly one audit record per call. Latency percentiles are printed, not asserted
 * (timing targets belong to the benchmarks).
 */

const CLIENTS = 32;
const CALLS = 10_000;
const PRINCIPAL = 'loader';
const TOKEN = newBearerToken();
/** Every stage a forwarded call passes, in order; each audit record must show all of them passed. */
const STAGES = ['authenticate', 'scope', 'validate', 'approve', 'rate-limit', 'forward'];

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

describe(`load: ${CLIENTS} concurrent HTTP clients, ${CALLS} calls through the full pipeline`, () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let serve: HttpServeProcess;
  const clients: Client[] = [];

  beforeAll(async () => {
    dir = await tempDir();
    const configPath = await writeConfig(dir.path, {
      ...DIRECT_EXPOSURE_CONFIG,
      servers: { everything: servers.everything() },
      principals: { [PRINCIPAL]: { allow: ['everything:echo'], tokenHashes: [tokenHash(TOKEN)] } },
      argumentRules: { 'everything:echo': { message: { maxLength: 64, pattern: '^load-[0-9]+$' } } },
      rateLimits: { principal: { capacity: 1_000_000, refillPerSecond: 1_000_000 } },
      audit: { enabled: true },
    });
    serve = await serveHttpProcess(configPath);
    for (let i = 0; i < CLIENTS; i += 1) clients.push(await connectHttpClient(serve.url, TOKEN, `load-${i}`));
    await waitForTools(clients[0]!, ['everything__echo']);
  });

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await serve?.stop();
    await dir?.remove();
  });

  it('32 clients x 10,000 echo calls: zero errors, exactly one audit record per call, p99 latency reported', async () => {
    const latencies: number[] = [];
    const errors: string[] = [];
    let issued = 0;
    const work = async (client: Client) => {
      while (issued < CALLS) {
        const message = `load-${issued++}`;
        const started = performance.now();
        try {
          const result = await client.callTool({ name: 'everything__echo', arguments: { message } });
          latencies.push(performance.now() - started);
          if (result.isError || textOf(result) !== `Echo: ${message}`) errors.push(`${message}: ${textOf(result).slice(0, 200)}`);
        } catch (error) {
          errors.push(`${message}: ${(error as Error).message}`);
        }
      }
    };
    const started = performance.now();
    await Promise.all(clients.map(work));
    const seconds = (performance.now() - started) / 1000;

    const sorted = [...latencies].sort((a, b) => a - b);
    const ms = (value: number) => `${value.toFixed(1)} ms`;
    console.log(
      `load: ${CALLS} calls by ${CLIENTS} clients in ${seconds.toFixed(1)} s (${Math.round(CALLS / seconds)} calls/s); ` +
        `latency p50 ${ms(percentile(sorted, 50))}, p95 ${ms(percentile(sorted, 95))}, p99 ${ms(percentile(sorted, 99))}, max ${ms(sorted.at(-1)!)}`,
    );
    expect(errors.slice(0, 20), `${errors.length} of ${CALLS} calls failed`).toEqual([]);
    expect(latencies).toHaveLength(CALLS);

    // Every call was acknowledged, so its audit record is already on disk: no need to stop the server to read.
    const { records, tornTail } = await readAuditFile(join(dir.path, '.toolscope', 'audit.jsonl'));
    expect(tornTail).toBe('');
    const calls = records.filter((record) => record.callId !== undefined);
    expect(calls).toHaveLength(CALLS);
    expect(new Set(calls.map((record) => record.callId)).size).toBe(CALLS);
    const messages = new Set(calls.map((record) => record.arguments?.message));
    expect(messages.size).toBe(CALLS);
    for (let i = 0; i < CALLS; i += 1) {
      if (!messages.has(`load-${i}`)) expect.fail(`no audit record for load-${i}`);
    }
    const unexpected = calls.filter(
      (record) =>
        record.principal !== PRINCIPAL ||
        record.outcome !== 'ok' ||
        record.decisions?.map((d) => `${d.stage}:${d.outcome}`).join(',') !== STAGES.map((stage) => `${stage}:pass`).join(','),
    );
    expect(unexpected.slice(0, 3), `${unexpected.length} records do not show every stage passing`).toEqual([]);
  }, 150_000);
});
