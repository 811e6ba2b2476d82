import { performance } from 'node:perf_hooks';
import { toolContentHash } from '../catalog/tool-hash.js';
import type { Embedder } from '../embedding/index.js';
import { ToolIndex, type RetrieverKind } from '../retrieval/tool-index.js';
import type { IndexableTool } from '../retrieval/types.js';
import type { UsageHistory } from '../retrieval/usage-history.js';
import type { EvalDataset, EvalTool } from './dataset-format.js';
import type { RetrieverResult, TokenCost } from './eval-report.js';
import { completeAtK, mean, ndcgAtK, percentile, recallAtK, reciprocalRank } from './metrics.js';
import { toolTokenTable } from './token-cost.js';

export interface EvalRunOptions {
  readonly retrievers: readonly RetrieverKind[];
  /** Cut-offs, ascending; the retrievers are asked for the largest. */
  readonly ks: readonly number[];
  /** Needed by `dense` and `hybrid`. */
  readonly embedder?: Embedder;
  /** Where the index caches tool embeddings by content hash. */
  readonly stateDir: string;
  /** Split multi-action queries as toolscope does when serving (default true); false measures the bare retrievers. */
  readonly decompose?: boolean;
  /** Reorder with the second-stage reranker (`retrieval.rerank`). */
  readonly rerank?: boolean;
  /** Past use the rankings learn from (`--history`). */
  readonly history?: UsageHistory;
  /** Called after each query of each retriever. */
  readonly onProgress?: (done: number, total: number) => void;
}

export interface EvalRun {
  readonly indexBuildMs: number;
  /** Tool texts the build had to embed (0 when every vector came from the cache). */
  readonly embeddedTools: number;
  readonly catalogTokens: number;
  readonly results: RetrieverResult[];
  /** With `history`: the same retrievers on the same queries without it, the baseline the gain is measured against. */
  readonly withoutHistory?: RetrieverResult[];
}

export function toIndexableTool(tool: EvalTool): IndexableTool {
  return {
    id: tool.id,
    server: tool.server ?? '',
    name: tool.name,
    ...(tool.title !== undefined && { title: tool.title }),
    description: tool.description,
    inputSchema: tool.inputSchema,
    hash: toolContentHash(tool),
  };
}

/** Builds the index over the dataset's catalog once, then runs every query through each retriever. */
export async function runEvaluation(dataset: EvalDataset, options: EvalRunOptions): Promise<EvalRun> {
  const ks = [...options.ks].sort((a, b) => a - b);
  const tokenTable = toolTokenTable(dataset.tools);
  const catalogTokens = [...tokenTable.values()].reduce((sum, tokens) => sum + tokens, 0);

  const buildStart = performance.now();
  const index = await ToolIndex.build(dataset.tools.map(toIndexableTool), {
    stateDir: options.stateDir,
    ...(options.embedder !== undefined && { embedder: options.embedder }),
  });
  const indexBuildMs = performance.now() - buildStart;

  const passes = options.history === undefined ? 1 : 2;
  const total = dataset.queries.length * options.retrievers.length * passes;
  let done = 0;
  const measure = (history: UsageHistory | undefined) =>
    measureRetrievers(index, dataset, { ...options, ks, history, tokenTable, catalogTokens }, () => options.onProgress?.(++done, total));
  const results = await measure(options.history);
  const withoutHistory = options.history !== undefined ? await measure(undefined) : undefined;
  return {
    indexBuildMs,
    embeddedTools: index.stats().embeddedTools,
    catalogTokens,
    results,
    ...(withoutHistory !== undefined && { withoutHistory }),
  };
}

interface MeasureSettings {
  /** Ascending. */
  readonly ks: readonly number[];
  readonly history: UsageHistory | undefined;
  readonly tokenTable: ReadonlyMap<string, number>;
  readonly catalogTokens: number;
}

/** Every query through each retriever of `options` over one index, with `history` as the past use learned from. */
async function measureRetrievers(
  index: ToolIndex,
  dataset: EvalDataset,
  options: Pick<EvalRunOptions, 'retrievers' | 'decompose' | 'rerank'> & MeasureSettings,
  onQuery: () => void,
): Promise<RetrieverResult[]> {
  const { ks, tokenTable, catalogTokens } = options;
  const limit = ks[ks.length - 1] as number;
  const results: RetrieverResult[] = [];
  for (const name of options.retrievers) {
    const retriever = index.retriever(name, {
      decompose: options.decompose ?? true,
      rerank: options.rerank ?? false,
      ...(options.history !== undefined && { history: options.history }),
    });
    // One untimed query first: the latency percentiles describe steady state, not the model's first-call warm-up.
    await retriever.search(dataset.queries[0]?.query ?? '', { limit });
    const rankings: string[][] = [];
    const latencies: number[] = [];
    for (const query of dataset.queries) {
      const start = performance.now();
      const found = await retriever.search(query.query, { limit });
      latencies.push(performance.now() - start);
      rankings.push(found.map((tool) => tool.id));
      onQuery();
    }
    results.push({
      retriever: name,
      metrics: rankingMetrics(dataset, rankings, ks),
      tokens: ks.map((k) => tokenCost(rankings, tokenTable, catalogTokens, k)),
      latencyMs: { p50: percentile(latencies, 50), p95: percentile(latencies, 95), mean: mean(latencies) },
    });
  }
  return results;
}

function rankingMetrics(dataset: EvalDataset, rankings: readonly string[][], ks: readonly number[]): Record<string, number> {
  const relevantSets = dataset.queries.map((query) => new Set(query.relevant));
  const average = (score: (ranked: string[], relevant: Set<string>) => number): number =>
    mean(rankings.map((ranked, i) => score(ranked, relevantSets[i] as Set<string>)));
  const metrics: Record<string, number> = {};
  for (const k of ks) {
    metrics[`recall@${k}`] = average((ranked, relevant) => recallAtK(ranked, relevant, k));
    metrics[`complete@${k}`] = average((ranked, relevant) => completeAtK(ranked, relevant, k));
    metrics[`ndcg@${k}`] = average((ranked, relevant) => ndcgAtK(ranked, relevant, k));
  }
  metrics.mrr = average(reciprocalRank);
  return metrics;
}

function tokenCost(
  rankings: readonly string[][],
  tokenTable: ReadonlyMap<string, number>,
  catalogTokens: number,
  k: number,
): TokenCost {
  const exposed = rankings.map((ranked) => ranked.slice(0, k).reduce((sum, id) => sum + (tokenTable.get(id) ?? 0), 0));
  const meanExposedTokens = mean(exposed);
  return { k, meanExposedTokens, savingPercent: 100 * (1 - meanExposedTokens / catalogTokens) };
}
