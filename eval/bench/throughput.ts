import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exposedToolName } from '../../src/catalog/naming.js';
import { writeBenchConfig } from './bench-config.js';
import { BenchChild } from './child-process.js';
import { throwIfCut } from './deadline.js';
import { ECHO_SERVER, ECHO_TOOL } from './downstream.js';
import type { BenchPlan } from './plan.js';
import { cpuMeter } from './proc-stats.js';
import { spread, type Spread } from './stats.js';

export interface ThroughputRow {
  readonly clients: number;
  readonly callsPerSecond: Spread;
  /** Failed calls over all runs (transport errors and tool errors alike). */
  readonly errors: number;
  readonly firstErrors: string[];
  /** Cores busy during the measured window (1 = one core), median over runs. */
  readonly cpuCores: { readonly toolscope: number; readonly echo: number; readonly loadGenerator: number };
}

export interface ThroughputResult {
  readonly rows: ThroughputRow[];
  stages?: string[];
  setup?: string;
}

const TOOL = exposedToolName(ECHO_SERVER, ECHO_TOOL);

/**
 * Calls per second through toolscope over Streamable HTTP: toolscope (full call pipeline) in one process with the echo
 * server as its stdio child, the load generator in another; each run is a fresh load generator, closed loop.
 */
export async function throughputBench(plan: BenchPlan['throughput'], signal: AbortSignal, result: ThroughputResult): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'toolscope-bench-throughput-'));
  const config = await writeBenchConfig(dir, { transport: 'stdio' });
  const gateway = new BenchChild('gateway-http', [config.file], { signal });
  try {
    const ready = await gateway.next('ready');
    const pids = ready.pids as { gateway: number; downstream: number[] };
    result.stages = ready.stages as string[];
    result.setup =
      'toolscope (library, as `serve --http`) on 127.0.0.1 in one process with the echo server as its stdio child; ' +
      'the load generator (SDK clients, one session each, closed loop) in a separate process.';
    for (const clients of plan.clients) {
      const rates: number[] = [];
      const cores = { toolscope: [] as number[], echo: [] as number[], loadGenerator: [] as number[] };
      let errors = 0;
      const firstErrors: string[] = [];
      for (let run = 0; run < plan.runs; run++) {
        throwIfCut(signal);
        const load = new BenchChild(
          'load-client',
          [String(ready.url), config.token, String(clients), String(plan.warmupMs), String(plan.durationMs), TOOL],
          { signal },
        );
        try {
          await load.next('connected');
          await load.next('measuring');
          const stop = await cpuMeter([pids.gateway, ...pids.downstream]);
          const measured = await load.next('result');
          const [toolscopeCpu = 0, ...echoCpu] = await stop();
          const seconds = Number(measured.elapsedMs) / 1000;
          rates.push(Number(measured.calls) / seconds);
          errors += Number(measured.errors);
          firstErrors.push(...(measured.firstErrors as string[]).slice(0, 5 - firstErrors.length));
          cores.toolscope.push(toolscopeCpu / 1000 / seconds);
          cores.echo.push(echoCpu.reduce((sum, ms) => sum + ms, 0) / 1000 / seconds);
          cores.loadGenerator.push(Number(measured.cpuMs) / 1000 / seconds);
        } finally {
          await load.close();
        }
      }
      result.rows.push({
        clients,
        callsPerSecond: spread(rates),
        errors,
        firstErrors,
        cpuCores: {
          toolscope: spread(cores.toolscope).median,
          echo: spread(cores.echo).median,
          loadGenerator: spread(cores.loadGenerator).median,
        },
      });
    }
  } finally {
    await gateway.close();
    await rm(dir, { recursive: true, force: true });
  }
}
