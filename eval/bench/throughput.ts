import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exposedToolName } from '../../src/catalog/naming.js';
import { writeBenchConfig } from './bench-config.js';
import { BenchChild, type ChildMessage } from './child-process.js';
import { throwIfCut } from './deadline.js';
import { ECHO_SERVER, ECHO_TOOL } from './downstream.js';
import type { BenchPlan } from './plan.js';
import { cpuMeter } from './proc-stats.js';
import { spread, type Spread } from './stats.js';

export interface ThroughputRow {
  readonly clients: number;
  /** `full`: every call stage; `audit off`: the same without the audit stage, to show its share. */
  readonly pipeline: 'full' | 'audit off';
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
 * child, the load generator in another (a fresh one per run, closed loop). The full pipeline at every client count,
 * then with the audit stage off at the `auditOffClients` counts.
 */
export async function throughputBench(plan: BenchPlan['throughput'], signal: AbortSignal, result: ThroughputResult): Promise<void> {
  for (const audit of [true, false]) {
    const clientCounts = audit ? plan.clients : plan.auditOffClients;
    if (clientCounts.length === 0) continue;
    const dir = await mkdtemp(join(tmpdir(), 'toolscope-bench-throughput-'));
    const config = await writeBenchConfig(dir, { transport: 'stdio' }, { audit });
    const gateway = new BenchChild('gateway-http', [config.file], { signal });
    try {
      const ready = await gateway.next('ready');
      if (audit) result.stages = ready.stages as string[];
      for (const clients of clientCounts) {
        const runs: RunFigures[] = [];
        for (let run = 0; run < plan.runs; run++) {
          throwIfCut(signal);
          runs.push(await loadRun(plan, ready, config.token, clients, signal));
        }
        result.rows.push(throughputRow(clients, audit ? 'full' : 'audit off', runs));
      }
    } finally {
      await gateway.close();
      await rm(dir, { recursive: true, force: true });
    }
  }
}

interface RunFigures {
  readonly callsPerSecond: number;
  readonly errors: number;
  readonly firstErrors: string[];
  readonly cores: ThroughputRow['cpuCores'];
  readonly toolscopeCpuMsPerCall: number;
}

/** One load generator run against the gateway that sent `ready`, with the CPU each process used meanwhile. */
async function loadRun(plan: BenchPlan['throughput'], ready: ChildMessage, token: string, clients: number, signal: AbortSignal): Promise<RunFigures> {
  const pids = ready.pids as { gateway: number; downstream: number[] };
  const load = new BenchChild('load-client', [String(ready.url), token, String(clients), String(plan.warmupMs), String(plan.durationMs), TOOL], {
    signal,
  });
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

function throughputRow(clients: number, pipeline: ThroughputRow['pipeline'], runs: readonly RunFigures[]): ThroughputRow {
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
