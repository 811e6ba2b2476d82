import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BenchChild } from './child-process.js';
import { throwIfCut } from './deadline.js';
import type { EmbedderChoice } from './embedders.js';
import type { BenchPlan } from './plan.js';
import type { StateCache } from './state-cache.js';
import { spread, type Spread } from './stats.js';

export interface MemoryRow {
  readonly embedder: EmbedderChoice;
  readonly embedderId: string;
  readonly tools: number;
  /** VmHWM of the serving process: peak resident set size, MB. */
  readonly peakRssMb: Spread;
  /** The gateway's warm start in that process: catalog in hand to search ready (embedder load and index build). */
  readonly startToServingMs: Spread;
  readonly servedQueries: number;
}

export interface MemoryResult {
  readonly rows: MemoryRow[];
  readonly skipped: string[];
}

/**
 * Peak RSS of a toolscope gateway serving the catalog in `search` mode: a fresh process per run starts warm (as a
 * restart would), answers `search_tools` for real queries, then reads its own VmHWM.
 */
export async function memoryBench(
  plan: BenchPlan['memory'],
  catalogFile: string,
  queriesFile: string,
  states: StateCache,
  signal: AbortSignal,
  result: MemoryResult,
): Promise<void> {
  for (const choice of plan.embedders) {
    if (choice !== 'lexical' && !(await states.isComplete(choice, plan.size))) {
      result.skipped.push(`${choice} at ${plan.size} tools: its embedding cache is not complete yet (run \`npm run bench -- --prepare\`)`);
      continue;
    }
    const peaks: number[] = [];
    const starts: number[] = [];
    let embedderId = 'none';
    for (let run = 0; run < plan.runs; run++) {
      throwIfCut(signal);
      const stateDir = await mkdtemp(join(tmpdir(), 'toolscope-bench-memory-'));
      let child: BenchChild | undefined;
      try {
        if (choice !== 'lexical') await states.seed(choice, plan.size, stateDir);
        child = new BenchChild(
          'search-child.ts',
          [catalogFile, String(plan.size), choice, stateDir, queriesFile, String(plan.servedQueries)],
          { signal },
        );
        const ready = await child.next('ready');
        embedderId = String((ready.stats as { embedder?: string | null }).embedder ?? 'none');
        starts.push(Number(ready.startToServingMs));
        const served = await child.next('served');
        peaks.push(Number(served.vmHwmKb) / 1024);
      } finally {
        await child?.close();
        await rm(stateDir, { recursive: true, force: true });
      }
    }
    result.rows.push({
      embedder: choice,
      embedderId,
      tools: plan.size,
      peakRssMb: spread(peaks),
      startToServingMs: spread(starts),
      servedQueries: plan.servedQueries,
    });
  }
}
