import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Embedder } from '../../src/embedding/index.js';
import { LOCAL_PRINCIPAL } from '../../src/gateway.js';
import { createLogger } from '../../src/log.js';
import { decomposeQuery } from '../../src/retrieval/query-decomposition.js';
import { createRouter } from '../../src/retrieval/router.js';
import { UsageHistory } from '../../src/retrieval/usage-history.js';
import { toBenchCatalogTool, type BenchCatalog } from './bench-catalog.js';
import { throwIfCut } from './deadline.js';
import { loadBenchEmbedder, type EmbedderChoice, type TransformersModel } from './embedders.js';
import { connectInMemory } from './mcp-clients.js';
import type { BenchPlan } from './plan.js';
import { SEARCH_LIMIT, searchTools, startCatalogGateway } from './search-gateway.js';
import type { StateCache } from './state-cache.js';
import { percentile } from '../../src/eval/metrics.js';
import { latencySpread, median, type LatencySpread } from './stats.js';

/**
 * `route API`: `createRouter().route()`; `search_tools`: the meta tool over an in-memory MCP session with a gateway;
 * `search_tools, learning on`: the same with learning from use on and a full usage history.
 */
export type RoutingPath = 'route API' | 'search_tools' | 'search_tools, learning on';

export interface RoutingRow {
  readonly path: RoutingPath;
  readonly embedder: EmbedderChoice;
  /** The loaded embedder's exact id (`none` for lexical). */
  readonly embedderId: string;
  readonly tools: number;
  readonly retriever: string;
  readonly vectorSearch: string;
  readonly latencyMs: LatencySpread;
  /** `search_tools, learning on`: the past choices the gateway's usage history held while it was timed. */
  readonly learnedChoices?: number;
  /**
   * p50 (ms) of each query's median over the runs, for requests naming one action and for those split into several
   * (each action is searched on its own, and the whole request too: steps + 1 searches, each embedding its text).
   */
  readonly byRequest: { readonly singleAction: QueryGroup; readonly multiAction: QueryGroup };
}

export interface QueryGroup {
  readonly queries: number;
  readonly p50Ms: number;
}

export interface RoutingResult {
  readonly rows: RoutingRow[];
  /** The query embedding alone (one `embed` call per query): the share of hybrid latency the model takes. */
  readonly queryEmbedding: Array<{ readonly embedder: EmbedderChoice; readonly embedderId: string; readonly latencyMs: LatencySpread }>;
  /** Sizes not measured, and why. */
  readonly skipped: string[];
}

/** Routes one query; what is timed. */
type Route = (query: string) => Promise<unknown>;

interface OpenRoute {
  readonly route: Route;
  readonly embedderId: string;
  readonly retriever: string;
  readonly vectorSearch: string;
  readonly embeddedTools: number;
  /** With learning on: how many past choices a usage history keeps of those written for the gateway. */
  readonly keptChoices?: number;
  /** After the queries: the past choices learning from use ranked with (undefined: learning off). */
  learnedChoices(): number | undefined;
  close(): Promise<void>;
}

/**
 * Routing latency in process, on warm indexes (state folders from the bench cache): the route API at every size, and
 * `search_tools` through a gateway (policy filter, MCP framing, result text) at the gateway sizes. Every query is
 * timed once per run; each run's percentiles are its own.
 */
export async function routingBench(
  plan: BenchPlan['routing'],
  catalog: BenchCatalog,
  states: StateCache,
  signal: AbortSignal,
  result: RoutingResult,
): Promise<void> {
  const cases = [
    ...plan.sizes.map((size) => ({ path: 'route API' as const, size })),
    ...plan.gatewaySizes.map((size) => ({ path: 'search_tools' as const, size })),
    ...plan.learningSizes.map((size) => ({ path: 'search_tools, learning on' as const, size })),
  ];
  for (const choice of plan.embedders) {
    throwIfCut(signal);
    const embedder = choice === 'lexical' ? undefined : await loadBenchEmbedder(choice, states.model);
    if (embedder) {
      result.queryEmbedding.push({ embedder: choice, embedderId: embedder.id, latencyMs: await embeddingLatency(embedder, catalog, plan, signal) });
    }
    for (const { path, size } of cases) {
      throwIfCut(signal);
      if (choice !== 'lexical' && !(await states.isComplete(choice, size))) {
        result.skipped.push(`${path}, ${choice} at ${size} tools: its embedding cache is not complete yet (run \`npm run bench -- --prepare\`)`);
        continue;
      }
      const stateDir = await mkdtemp(join(tmpdir(), 'toolscope-bench-routing-'));
      try {
        if (choice !== 'lexical') await states.seed(choice, size, stateDir);
        const tools = catalog.tools.slice(0, size);
        const open =
          path === 'route API'
            ? await openRouter(tools, embedder, stateDir)
            : await openSearchTools(tools, choice, states.model, stateDir, path === 'search_tools' ? [] : catalog.pastRequests);
        try {
          if (open.embeddedTools > 0) throw new Error(`${choice} at ${size} tools embedded ${open.embeddedTools} tools on a warm start`);
          const runs = await timeQueries(open.route, catalog, plan, signal);
          const learnedChoices = open.learnedChoices();
          if (learnedChoices !== open.keptChoices) {
            throw new Error(`the gateway learned from ${learnedChoices ?? 'none'} past choices, not the ${open.keptChoices ?? 'none'} it was given`);
          }
          result.rows.push({
            path,
            embedder: choice,
            embedderId: open.embedderId,
            tools: size,
            retriever: open.retriever,
            vectorSearch: open.vectorSearch,
            latencyMs: latencySpread(runs),
            ...(learnedChoices !== undefined && { learnedChoices }),
            byRequest: byRequestShape(catalog.queries, runs),
          });
        } finally {
          await open.close();
        }
      } finally {
        await rm(stateDir, { recursive: true, force: true });
      }
    }
  }
}

async function openRouter(tools: BenchCatalog['tools'], embedder: Embedder | undefined, stateDir: string): Promise<OpenRoute> {
  const router = await createRouter({ tools: tools.map(toBenchCatalogTool), embedder: embedder ?? false, stateDir, logger: createLogger('warn') });
  const stats = router.index.stats();
  return {
    route: (query) => router.route(query, { limit: SEARCH_LIMIT }),
    embedderId: stats.embedder ?? 'none',
    retriever: embedder ? 'hybrid' : 'bm25',
    vectorSearch: stats.vectorSearch,
    embeddedTools: stats.embeddedTools,
    learnedChoices: () => undefined,
    close: async () => router.close(),
  };
}

/**
 * `search_tools` on a gateway over `tools`. With `pastRequests`, learning from use is on and its usage history holds
 * each of them as a choice of a catalog tool (taken in turn: what costs time is finding the alike requests).
 */
async function openSearchTools(
  tools: BenchCatalog['tools'],
  choice: EmbedderChoice,
  model: TransformersModel,
  stateDir: string,
  pastRequests: readonly string[],
): Promise<OpenRoute> {
  const catalogTools = tools.map(toBenchCatalogTool);
  const learning = pastRequests.length > 0;
  const records = pastRequests.map((query, i) => ({ query, tool: catalogTools[i % catalogTools.length]!.exposedName, at: new Date(0).toISOString() }));
  if (learning) await writeFile(join(stateDir, 'usage-history.json'), JSON.stringify({ records }));
  const gateway = await startCatalogGateway(catalogTools, stateDir, choice, model, { learning });
  const stats = gateway.status().retrieval;
  const session = await connectInMemory(gateway, LOCAL_PRINCIPAL).catch(async (error: unknown) => {
    await gateway.stop();
    throw error;
  });
  return {
    route: (query) => searchTools(session.client, query),
    embedderId: stats.embedder ?? 'none',
    retriever: stats.retriever,
    vectorSearch: stats.vectorSearch ?? 'none',
    embeddedTools: stats.embeddedTools ?? 0,
    // A history does not keep requests of stop words only (a few of the pool's are).
    ...(learning && { keptChoices: new UsageHistory(records, records.length).size }),
    learnedChoices: () => gateway.status().retrieval.learnedChoices,
    close: async () => {
      await session.close();
      await gateway.stop();
    },
  };
}

/** Every query's time (ms), run by run, in query order. */
async function timeQueries(route: Route, catalog: BenchCatalog, plan: BenchPlan['routing'], signal: AbortSignal): Promise<number[][]> {
  for (const query of catalog.queries.slice(0, plan.warmupQueries)) await route(query);
  const runs: number[][] = [];
  for (let run = 0; run < plan.runs; run++) {
    const samples: number[] = [];
    for (const query of catalog.queries) {
      throwIfCut(signal);
      const started = performance.now();
      await route(query);
      samples.push(performance.now() - started);
    }
    runs.push(samples);
  }
  return runs;
}

function byRequestShape(queries: readonly string[], runs: readonly number[][]): RoutingRow['byRequest'] {
  const perQuery = queries.map((query, i) => ({ multi: decomposeQuery(query).length > 1, ms: median(runs.map((run) => run[i]!)) }));
  const group = (multi: boolean): QueryGroup => {
    const times = perQuery.filter((entry) => entry.multi === multi).map((entry) => entry.ms);
    return { queries: times.length, p50Ms: percentile(times, 50) };
  };
  return { singleAction: group(false), multiAction: group(true) };
}

async function embeddingLatency(embedder: Embedder, catalog: BenchCatalog, plan: BenchPlan['routing'], signal: AbortSignal): Promise<LatencySpread> {
  return latencySpread(await timeQueries((query) => embedder.embed([query]), catalog, { ...plan, runs: 1 }, signal));
}
