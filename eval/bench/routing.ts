import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Embedder } from '../../src/embedding/index.js';
import { LOCAL_PRINCIPAL } from '../../src/gateway.js';
import { toBenchCatalogTool, type BenchCatalog } from './bench-catalog.js';
import { throwIfCut } from './deadline.js';
import { loadBenchEmbedder, type EmbedderChoice } from './embedders.js';
import { connectInMemory } from './mcp-clients.js';
import type { BenchPlan } from './plan.js';
import { searchTools, startSearchGateway } from './search-gateway.js';
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
  /** The query embedding alone (one `embed` call per query): the share of hybrid latency the model takes. */
  readonly queryEmbedding: Array<{ readonly embedder: EmbedderChoice; readonly embedderId: string; readonly latencyMs: LatencySpread }>;
  /** Sizes not measured, and why. */
  readonly skipped: string[];
}

/**
 * Routing latency as a client sees it, minus the network: `search_tools` (limit 5) over an in-memory MCP session with a
 * gateway in `search` mode (policy filter, retrieval with query decomposition, result text and structured content).
 * One gateway per embedder and catalog size, started warm; every query timed once per run.
 */
export async function routingBench(
  plan: BenchPlan['routing'],
  catalog: BenchCatalog,
  states: StateCache,
  signal: AbortSignal,
  result: RoutingResult,
): Promise<void> {
  for (const choice of plan.embedders) {
    throwIfCut(signal);
    if (choice !== 'lexical') {
      const embedder = await loadBenchEmbedder(choice);
      result.queryEmbedding.push({ embedder: choice, embedderId: embedder.id, latencyMs: await embeddingLatency(embedder, catalog, plan, signal) });
    }
    for (const size of plan.sizes) {
      throwIfCut(signal);
      if (choice !== 'lexical' && !(await states.isComplete(choice, size))) {
        result.skipped.push(`${choice} at ${size} tools: its embedding cache is not complete yet (run \`npm run bench -- --prepare\`)`);
        continue;
      }
      result.rows.push(await routeOverCatalog(plan, catalog, states, choice, size, signal));
    }
  }
}

async function routeOverCatalog(
  plan: BenchPlan['routing'],
  catalog: BenchCatalog,
  states: StateCache,
  choice: EmbedderChoice,
  size: number,
  signal: AbortSignal,
): Promise<RoutingRow> {
  const stateDir = await mkdtemp(join(tmpdir(), 'toolscope-bench-routing-'));
  try {
    if (choice !== 'lexical') await states.seed(choice, size, stateDir);
    const gateway = await startSearchGateway(catalog.tools.slice(0, size).map(toBenchCatalogTool), stateDir, choice);
    try {
      const stats = gateway.status().retrieval;
      if ((stats.embeddedTools ?? 0) > 0) throw new Error(`${choice} at ${size} tools embedded ${stats.embeddedTools} tools on a warm start`);
      const session = await connectInMemory(gateway, LOCAL_PRINCIPAL);
      try {
        for (const query of catalog.queries.slice(0, plan.warmupQueries)) await searchTools(session.client, query);
        const runs: number[][] = [];
        for (let run = 0; run < plan.runs; run++) {
          const samples: number[] = [];
          for (const query of catalog.queries) {
            throwIfCut(signal);
            const started = performance.now();
            await searchTools(session.client, query);
            samples.push(performance.now() - started);
          }
          runs.push(samples);
        }
        return {
          embedder: choice,
          embedderId: stats.embedder ?? 'none',
          tools: size,
          retriever: stats.retriever,
          vectorSearch: stats.vectorSearch ?? 'none',
          latencyMs: latencySpread(runs),
        };
      } finally {
        await session.close();
      }
    } finally {
      await gateway.stop();
    }
  } finally {
    await rm(stateDir, { recursive: true, force: true });
  }
}

async function embeddingLatency(embedder: Embedder, catalog: BenchCatalog, plan: BenchPlan['routing'], signal: AbortSignal): Promise<LatencySpread> {
  for (const query of catalog.queries.slice(0, plan.warmupQueries)) await embedder.embed([query]);
  const samples: number[] = [];
  for (const query of catalog.queries) {
    throwIfCut(signal);
    const started = performance.now();
    await embedder.embed([query]);
    samples.push(performance.now() - started);
  }
  return latencySpread([samples]);
}
