import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BenchChild } from './child-process.js';
import { throwIfCut } from './deadline.js';
import { modelArgs, type EmbedderChoice } from './embedders.js';
import type { BenchPlan } from './plan.js';
import type { StateCache } from './state-cache.js';
import { spread, type Spread } from './stats.js';

/** `router`: createRouter with the embedder (retrieval alone); `gateway`: a whole toolscope gateway in search mode. */
export type ServingProcess = 'router' | 'gateway';

export interface MemoryRow {
  readonly process: ServingProcess;
  readonly embedder: EmbedderChoice;
  readonly embedderId: string;
  readonly tools: number;
  /** VmHWM of the serving process: peak resident set size, MB. */
  readonly peakRssMb: Spread;
  readonly servedQueries: number;
}

export interface MemoryResult {
  readonly rows: MemoryRow[];
  readonly skipped: string[];
}

/**
 * Peak RSS while serving: a fresh process per run starts warm over the catalog (state folder in place, as a restart
 * would), routes real queries (route API, or `search_tools` for a gateway), then reads its own VmHWM.
 */
export async function memoryBench(
  plan: BenchPlan['memory'],
  catalogFile: string,
  queriesFile: string,
  states: StateCache,
  signal: AbortSignal,
  result: MemoryResult,
): Promise<void> {
  const cases: Array<{ process: ServingProcess; size: number }> = [
    { process: 'router', size: plan.size },
    { process: 'gateway', size: plan.gatewaySize },
  ];
  for (const { process, size } of cases) {
    for (const choice of plan.embedders) {
      if (choice !== 'lexical' && !(await states.isComplete(choice, size))) {
        result.skipped.push(`${choice} ${process} at ${size} tools: its embedding cache is not complete yet (run \`npm run bench -- --prepare\`)`);
        continue;
      }
      const peaks: number[] = [];
      let embedderId = 'none';
      for (let run = 0; run < plan.runs; run++) {
        throwIfCut(signal);
        const stateDir = await mkdtemp(join(tmpdir(), 'toolscope-bench-memory-'));
        let child: BenchChild | undefined;
        try {
          if (choice !== 'lexical') await states.seed(choice, size, stateDir);
          const serve = String(plan.servedQueries);
          const model = modelArgs(states.model);
          child =
            process === 'router'
              ? new BenchChild('index-child', [catalogFile, String(size), choice, stateDir, '--queries', queriesFile, '--serve', serve, ...model], { signal })
              : new BenchChild('search-child', [catalogFile, String(size), choice, stateDir, queriesFile, serve, ...model], { signal });
          const ready = await child.next('ready');
          embedderId = String((ready.stats as { embedder?: string | null }).embedder ?? 'none');
          const served = await child.next('served');
          peaks.push(Number(served.vmHwmKb) / 1024);
        } finally {
          await child?.close();
          await rm(stateDir, { recursive: true, force: true });
        }
      }
      result.rows.push({ process, embedder: choice, embedderId, tools: size, peakRssMb: spread(peaks), servedQueries: plan.servedQueries });
    }
  }
}
