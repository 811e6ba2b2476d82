import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Principal } from '../../src/policy/auth/principal.js';
import { generateToken, hashToken } from '../../src/policy/auth/token.js';
import { ECHO_SERVER, ECHO_TOOL, echoStdioLaunch } from './downstream.js';
import type { BenchAudit } from './pipelines.js';
import type { StateConfig } from '../../src/state/config.js';

/** The principal every bench client acts as. */
export const BENCH_PRINCIPAL: Principal = { name: 'bench' };

/** Calls per second no bench comes near: the rate-limit stage runs, and never refuses. */
const UNREACHABLE_RATE = { capacity: 1_000_000_000, refillPerSecond: 1_000_000_000 };

export interface BenchGatewayConfig {
  readonly file: string;
  /** Bearer token of the bench principal (HTTP clients send it). */
  readonly token: string;
}

export type EchoDownstream = { readonly transport: 'stdio' } | { readonly transport: 'http'; readonly url: string };

/**
 * A toolscope config in front of the echo server with every call stage doing real work: a principal with scopes and a
 * token, an argument rule for validation, rate limits set far above the load, audit on with `fsync` durability (unless
 * `audit` says otherwise, to measure its share), pinning on.
 */
export async function writeBenchConfig(
  dir: string,
  downstream: EchoDownstream,
  options: {
    readonly audit?: BenchAudit;
    /** The `state` section (default: the file backend); replicas of one deployment share the Redis one. */
    readonly state?: StateConfig;
    /** The bench principal's token, for replicas that must all accept the same one. */
    readonly token?: string;
  } = {},
): Promise<BenchGatewayConfig> {
  await mkdir(dir, { recursive: true });
  const token = options.token ?? generateToken();
  const audit = options.audit ?? 'fsync';
  const server = downstream.transport === 'stdio' ? { type: 'stdio', ...echoStdioLaunch() } : { type: 'http', url: downstream.url };
  const config = {
    stateDir: join(dir, 'state'),
    logLevel: 'warn',
    servers: { [ECHO_SERVER]: server },
    principals: { [BENCH_PRINCIPAL.name]: { allow: [`${ECHO_SERVER}:*`], tokenHashes: [hashToken(token)] } },
    argumentRules: { [`${ECHO_SERVER}:${ECHO_TOOL}`]: { text: { maxLength: 10_000 } } },
    rateLimits: { principal: UNREACHABLE_RATE, tool: UNREACHABLE_RATE },
    audit: audit === 'off' ? { enabled: false } : { enabled: true, durability: audit },
    pinning: { mode: 'on' },
    // The load client opens a session per simulated client, all as the one bench principal (up to 128 at once).
    limits: { maxSessionsPerPrincipal: 256 },
    // A direct tools/call of the echo tool is what is measured: list it, and load no embedder for a search nobody makes.
    exposure: { mode: 'all' },
    retrieval: { retriever: 'bm25' },
    ...(options.state && { state: options.state }),
  };
  const file = join(dir, 'toolscope.json');
  await writeFile(file, `${JSON.stringify(config, null, 2)}\n`);
  return { file, token };
}
