import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exposedToolName } from '../../src/catalog/naming.js';
import { writeBenchConfig } from './bench-config.js';
import { BenchChild, type ChildMessage } from './child-process.js';
import { throwIfCut } from './deadline.js';
import { ECHO_SERVER, ECHO_TOOL } from './downstream.js';
import { measuredAt, PIPELINES, pipelineAudit, type Pipeline } from './pipelines.js';
import type { BenchPlan } from './plan.js';
import { cpuMeter } from './proc-stats.js';
import { spread, type Spread } from './stats.js';

export interface ThroughputRow {
  readonly clients: number;
  /** `full`: every call stage; `audit write`: answered before the audit line's fsync; `audit off`: no audit stage. */
  readonly pipeline: Pipeline;
  readonly callsPerSecond: Spread;
  /** Failed calls over all runs (transport errors and tool errors alike). */
  readonly errors: number;
  readonly firstErrors: string[];
  /** Cores busy during the measured window (1 = one core), median over runs. */
  readonly cpuCores: { readonly toolscope: number; readonly echo: number; readonly loadGenerator: number };
  /**
   * toolscope's CPU time per call (ms), median over runs: what the process spends on each call whatever share of the
   * machine it got, so it bounds calls/s per core (1000 / this) even on a busy machine.
   */
  readonly toolscopeCpuMsPerCall: number;
}

export interface ThroughputResult {
  readonly rows: ThroughputRow[];
  stages?: string[];
}

const TOOL = exposedToolName(ECHO_SERVER, ECHO_TOOL);

/**
 * Calls per second through toolscope over Streamable HTTP: toolscope in one process with the echo server as its stdio
 * child, the load generator in another (a fresh one per run, closed loop). The full pipeline at every client count;
 * each audit variant the plan lists runs its own gateway, which at the listed counts takes its runs in turn with the
 * others, so all see the same machine.
 */
export async function throughputBench(plan: BenchPlan['throughput'], signal: AbortSignal, result: ThroughputResult): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'toolscope-bench-throughput-'));
  const gateways: Gateway[] = [];
  try {
    const measured = (pipeline: Pipeline) => measuredAt(pipeline, plan.clients, plan.auditVariants);
    // Every gateway starts up front, in `PIPELINES` order (the rows' order at a client count): each serves all its
    // runs, and none starts while another is measured.
    for (const pipeline of PIPELINES.filter((pipeline) => measured(pipeline).length > 0)) {
      const gateway = await startGateway(join(dir, pipeline.replaceAll(' ', '-')), pipeline, signal, gateways);
      if (pipeline === 'full') result.stages = gateway.ready.stages as string[];
    }
    for (const clients of [...new Set(PIPELINES.flatMap(measured))].sort((a, b) => a - b)) {
      const compared = gateways.filter((gateway) => measured(gateway.pipeline).includes(clients));
      const runs = compared.map(() => [] as RunFigures[]);
      for (let run = 0; run < plan.runs; run++) {
        for (const [i, gateway] of compared.entries()) {
          throwIfCut(signal);
          runs[i]!.push(await loadRun(plan, gateway, clients, signal));
        }
      }
      compared.forEach((gateway, i) => result.rows.push(throughputRow(clients, gateway.pipeline, runs[i]!)));
    }
  } finally {
    await Promise.all(gateways.map((gateway) => gateway.child.close()));
    await rm(dir, { recursive: true, force: true });
  }
}

interface Gateway {
  readonly child: BenchChild;
  readonly ready: ChildMessage;
  readonly token: string;
  readonly pipeline: Pipeline;
}

/** A toolscope gateway process in front of its own echo server, added to `started` once it serves. */
async function startGateway(dir: string, pipeline: Pipeline, signal: AbortSignal, started: Gateway[]): Promise<Gateway> {
  const config = await writeBenchConfig(dir, { transport: 'stdio' }, { audit: pipelineAudit(pipeline) });
  const child = new BenchChild('gateway-http', [config.file], { signal });
  try {
    const gateway: Gateway = { child, token: config.token, pipeline, ready: await child.next('ready') };
    started.push(gateway);
    return gateway;
  } catch (error) {
    await child.close();
    throw error;
  }
}

interface RunFigures {
  readonly callsPerSecond: number;
  readonly errors: number;
  readonly firstErrors: string[];
  readonly cores: ThroughputRow['cpuCores'];
  readonly toolscopeCpuMsPerCall: number;
}

/** One load generator run against `gateway`, with the CPU each process used meanwhile. */
async function loadRun(plan: BenchPlan['throughput'], gateway: Gateway, clients: number, signal: AbortSignal): Promise<RunFigures> {
  const pids = gateway.ready.pids as { gateway: number; downstream: number[] };
  const args = [String(gateway.ready.url), gateway.token, String(clients), String(plan.warmupMs), String(plan.durationMs), TOOL];
  const load = new BenchChild('load-client', args, { signal });
  try {
    await load.next('measuring');
    const stop = await cpuMeter([pids.gateway, ...pids.downstream]);
    const measured = await load.next('result');
    const [toolscopeCpu = 0, ...echoCpu] = await stop();
    await load.next('closed');
    const seconds = Number(measured.elapsedMs) / 1000;
    const calls = Number(measured.calls);
    return {
      callsPerSecond: calls / seconds,
      errors: Number(measured.errors),
      firstErrors: measured.firstErrors as string[],
      cores: {
        toolscope: toolscopeCpu / 1000 / seconds,
        echo: echoCpu.reduce((sum, ms) => sum + ms, 0) / 1000 / seconds,
        loadGenerator: Number(measured.cpuMs) / 1000 / seconds,
      },
      toolscopeCpuMsPerCall: toolscopeCpu / calls,
    };
  } finally {
    await load.close();
  }
}

function throughputRow(clients: number, pipeline: Pipeline, runs: readonly RunFigures[]): ThroughputRow {
  const median = (pick: (run: RunFigures) => number) => spread(runs.map(pick)).median;
  return {
    clients,
    pipeline,
    callsPerSecond: spread(runs.map((run) => run.callsPerSecond)),
    errors: runs.reduce((sum, run) => sum + run.errors, 0),
    firstErrors: runs.flatMap((run) => run.firstErrors).slice(0, 5),
    cpuCores: {
      toolscope: median((run) => run.cores.toolscope),
      echo: median((run) => run.cores.echo),
      loadGenerator: median((run) => run.cores.loadGenerator),
    },
    toolscopeCpuMsPerCall: median((run) => run.toolscopeCpuMsPerCall),
  };
}
