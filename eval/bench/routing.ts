import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Embedder } from '../../src/embedding/index.js';
import { createLogger } from '../../src/log.js';
import { createRouter } from '../../src/retrieval/router.js';
import { toBenchCatalogTool, type BenchCatalog } from './bench-catalog.js';
import { throwIfCut } from './deadline.js';
import { loadBenchEmbedder, type EmbedderChoice } from './embedders.js';
import type { BenchPlan } from './plan.js';
import type { StateCache } from './state-cache.js';
import { latencySpread, type LatencySpread } from './stats.js';

export interface RoutingRow {
  readonly embedder: EmbedderChoice;
  /** The loaded embedder's exact id (`none` for lexical). */
  readonly embedderId: string;
  readonly tools: number;
  readonly retriever: string;
  readonly vectorSearch: string;
  readonly latencyMs: LatencySpread;
}

export interface RoutingResult {
  readonly rows: RoutingRow[];
  /** Sizes not measured, and why. */
  readonly skipped: string[];
}

/** Result size of every route call: the default of `search_tools` and the route API. */
const ROUTE_LIMIT = 5;

/**
 * Routing latency in process through the route API (`createRouter().route`: retrieval with query decomposition as
 * served, then the MCP tool definitions): one router per embedder and catalog size, built from a warm state folder,
 * every query timed once per run.
 */
export async function routingBench(
  plan: BenchPlan['routing'],
  catalog: BenchCatalog,
  states: StateCache,
  signal: AbortSignal,
  result: RoutingResult,
): Promise<void> {
  const logger = createLogger('warn');
  for (const choice of plan.embedders) {
    throwIfCut(signal);
    const embedder: Embedder | undefined = choice === 'lexical' ? undefined : await loadBenchEmbedder(choice);
    for (const size of plan.sizes) {
      throwIfCut(signal);
      if (choice !== 'lexical' && !(await states.isComplete(choice, size))) {
        result.skipped.push(`${choice} at ${size} tools: its embedding cache is not complete yet (run \`npm run bench -- --prepare\`)`);
        continue;
      }
      const stateDir = await mkdtemp(join(tmpdir(), 'toolscope-bench-routing-'));
      try {
        if (choice !== 'lexical') await states.seed(choice, size, stateDir);
        const router = await createRouter({
          tools: catalog.tools.slice(0, size).map(toBenchCatalogTool),
          embedder: embedder ?? false,
          stateDir,
          logger,
        });
        const stats = router.index.stats();
        if (stats.embeddedTools > 0) throw new Error(`${choice} at ${size} tools embedded ${stats.embeddedTools} tools on a warm start`);
        for (const query of catalog.queries.slice(0, plan.warmupQueries)) await router.route(query, { limit: ROUTE_LIMIT });
        const runs: number[][] = [];
        for (let run = 0; run < plan.runs; run++) {
          const samples: number[] = [];
          for (const query of catalog.queries) {
            throwIfCut(signal);
            const started = performance.now();
            await router.route(query, { limit: ROUTE_LIMIT });
            samples.push(performance.now() - started);
          }
          runs.push(samples);
        }
        router.close();
        result.rows.push({
          embedder: choice,
          embedderId: embedder?.id ?? 'none',
          tools: size,
          retriever: embedder ? 'hybrid' : 'bm25',
          vectorSearch: stats.vectorSearch,
          latencyMs: latencySpread(runs),
        });
      } finally {
        await rm(stateDir, { recursive: true, force: true });
      }
    }
  }
}
