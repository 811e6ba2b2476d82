import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exposedToolName } from '../../src/catalog/naming.js';
import { generateToken } from '../../src/policy/auth/token.js';
import type { StateConfig } from '../../src/state/config.js';
import { writeBenchConfig } from './bench-config.js';
import { BenchChild, type ChildMessage } from './child-process.js';
import { throwIfCut } from './deadline.js';
import { ECHO_SERVER, ECHO_TOOL } from './downstream.js';
import type { BenchPlan } from './plan.js';
import { cpuMeter } from './proc-stats.js';
import { redisServerInstalled, startRedis, type RedisServer } from './redis-server.js';
import { spread, type Spread } from './stats.js';

export const STATE_BACKENDS = ['file', 'redis'] as const;
export type StateBackendKind = (typeof STATE_BACKENDS)[number];

export interface ScaleOutRow {
  readonly state: StateBackendKind;
  readonly replicas: number;
  /** Clients over all replicas, split evenly (each load generator drives its own replica). */
  readonly clients: number;
  readonly callsPerSecond: Spread;
  readonly errors: number;
  readonly firstErrors: string[];
  /** CPU ms per call summed over the replicas, median over runs. */
  readonly toolscopeCpuMsPerCall: number;
  /** Redis's CPU ms per call (0 with the file backend), median over runs. */
  readonly redisCpuMsPerCall: number;
}

export interface ScaleOutResult {
  readonly rows: ScaleOutRow[];
  /** Why a configuration was not measured (e.g. no redis-server here). */
  readonly skipped: string[];
}

const TOOL = exposedToolName(ECHO_SERVER, ECHO_TOOL);

/**
 * What shared state costs: the throughput bench's full pipeline (rate limits far above the load, so every call still
 * draws on its two buckets) with 1 and with several replicas, on the file backend (each replica its own state) and
 * on Redis (one redis-server for all: every call runs the bucket script there). Each replica is a gateway process
 * with its own echo server, driven by a load generator of its own; the rows add their calls up.
 */
export async function scaleOutBench(plan: BenchPlan['scaleOut'], signal: AbortSignal, result: ScaleOutResult): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'toolscope-bench-scale-'));
  let redis: RedisServer | undefined;
  try {
    const backends: StateBackendKind[] = ['file'];
    if (await redisServerInstalled()) backends.push('redis');
    else result.skipped.push('redis: redis-server is not installed here (apt install redis-server)');
    for (const state of backends) {
      for (const replicas of plan.replicas) {
        throwIfCut(signal);
        redis = state === 'redis' ? await startRedis() : undefined;
        const stateConfig: StateConfig | undefined = redis && { backend: 'redis', url: redis.url, keyPrefix: 'bench:', embeddings: 'local', commandTimeoutMs: 2_000 };
        const gateways = await startReplicas(join(dir, `${state}-${replicas}`), replicas, stateConfig, signal);
        try {
          const runs: RunFigures[] = [];
          for (let run = 0; run < plan.runs; run++) {
            throwIfCut(signal);
            runs.push(await loadRun(plan, gateways, redis, signal));
          }
          result.rows.push(scaleOutRow(state, replicas, plan.clients, runs));
        } finally {
          await Promise.all(gateways.map((gateway) => gateway.child.close()));
          await redis?.stop();
          redis = undefined;
        }
      }
    }
  } finally {
    await redis?.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

interface Replica {
  readonly child: BenchChild;
  readonly ready: ChildMessage;
  readonly token: string;
}

async function startReplicas(dir: string, count: number, state: StateConfig | undefined, signal: AbortSignal): Promise<Replica[]> {
  const token = generateToken();
  const started: Replica[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const config = await writeBenchConfig(join(dir, `replica-${i + 1}`), { transport: 'stdio' }, { token, ...(state && { state }) });
      const child = new BenchChild('gateway-http', [config.file], { signal });
      started.push({ child, token, ready: await child.next('ready') });
    }
    return started;
  } catch (error) {
    await Promise.all(started.map((replica) => replica.child.close()));
    throw error;
  }
}

interface RunFigures {
  readonly callsPerSecond: number;
  readonly errors: number;
  readonly firstErrors: string[];
  readonly toolscopeCpuMsPerCall: number;
  readonly redisCpuMsPerCall: number;
}

/** One load generator per replica, all at once; calls and CPU added up. */
async function loadRun(plan: BenchPlan['scaleOut'], replicas: readonly Replica[], redis: RedisServer | undefined, signal: AbortSignal): Promise<RunFigures> {
  const loads = replicas.map((replica, i) => {
    const clients = Math.floor(plan.clients / replicas.length) + (i < plan.clients % replicas.length ? 1 : 0);
    const args = [String(replica.ready.url), replica.token, String(clients), String(plan.warmupMs), String(plan.durationMs), TOOL];
    return new BenchChild('load-client', args, { signal });
  });
  try {
    await Promise.all(loads.map((load) => load.next('measuring')));
    const gatewayPids = replicas.map((replica) => (replica.ready.pids as { gateway: number }).gateway);
    const redisPid = redis?.pid();
    const stop = await cpuMeter([...gatewayPids, ...(redisPid === undefined ? [] : [redisPid])]);
    const measured = await Promise.all(loads.map((load) => load.next('result')));
    const cpu = await stop();
    await Promise.all(loads.map((load) => load.next('closed')));
    const calls = measured.reduce((sum, m) => sum + Number(m.calls), 0);
    const seconds = Math.max(...measured.map((m) => Number(m.elapsedMs))) / 1000;
    const toolscopeCpu = cpu.slice(0, replicas.length).reduce((sum, ms) => sum + ms, 0);
    const redisCpu = redisPid === undefined ? 0 : cpu[replicas.length]!;
    return {
      callsPerSecond: calls / seconds,
      errors: measured.reduce((sum, m) => sum + Number(m.errors), 0),
      firstErrors: measured.flatMap((m) => m.firstErrors as string[]).slice(0, 5),
      toolscopeCpuMsPerCall: toolscopeCpu / calls,
      redisCpuMsPerCall: redisCpu / calls,
    };
  } finally {
    await Promise.all(loads.map((load) => load.close()));
  }
}

function scaleOutRow(state: StateBackendKind, replicas: number, clients: number, runs: readonly RunFigures[]): ScaleOutRow {
  const median = (pick: (run: RunFigures) => number) => spread(runs.map(pick)).median;
  return {
    state,
    replicas,
    clients,
    callsPerSecond: spread(runs.map((run) => run.callsPerSecond)),
    errors: runs.reduce((sum, run) => sum + run.errors, 0),
    firstErrors: runs.flatMap((run) => run.firstErrors).slice(0, 5),
    toolscopeCpuMsPerCall: median((run) => run.toolscopeCpuMsPerCall),
    redisCpuMsPerCall: median((run) => run.redisCpuMsPerCall),
  };
}
