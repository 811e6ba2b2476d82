import type { Embedder } from '../embedding/index.js';
import type { RetrieverKind } from '../retrieval/tool-index.js';
import type { EmbedderWeights, EvalReport } from './eval-report.js';
import { EvalSetupError, type BadLine } from './input-error.js';
import { loadEvalDataset } from './load-dataset.js';
import { VERSION } from '../version.js';
import { splitHistory } from './history-split.js';
import { createProgress } from './progress.js';
import { runEvaluation } from './run-eval.js';
import { deterministicSample } from './sample.js';

export interface EvaluateOptions {
  readonly catalogFile: string;
  readonly queriesFile: string;
  /** Dataset name in the report; defaults to `datasetName(catalogFile)`. */
  readonly name?: string;
  readonly retrievers: readonly RetrieverKind[];
  readonly ks: readonly number[];
  /** Needed by `dense` and `hybrid`. */
  readonly embedder?: Embedder;
  /** The weights file of an embedder from a model folder, recorded in the report. */
  readonly embedderWeights?: EmbedderWeights;
  readonly stateDir: string;
  readonly decompose?: boolean;
  readonly skipBad?: boolean;
  /** Evaluate a deterministic sample of this many queries. */
  readonly maxQueries?: number;
  readonly rerank?: boolean;
  /** This fraction of the labelled queries is past use (`splitHistory`); the sample is drawn from the rest. */
  readonly historyFraction?: number;
}

export interface Evaluation {
  readonly report: EvalReport;
  readonly skipped: readonly BadLine[];
}

/** Loads a canonical dataset, evaluates the retrievers on it and assembles the JSON report. */
export async function evaluateDataset(options: EvaluateOptions): Promise<Evaluation> {
  const { dataset: loaded, skipped } = await loadEvalDataset(options.catalogFile, options.queriesFile, {
    skipBad: options.skipBad ?? false,
    ...(options.name !== undefined && { name: options.name }),
  });
  const split = options.historyFraction !== undefined ? splitHistory(loaded.queries, options.historyFraction) : undefined;
  const candidates = split?.rest ?? loaded.queries;
  if (candidates.length === 0) {
    throw new EvalSetupError(
      `history fraction ${options.historyFraction} takes all ${loaded.queries.length} queries as past use and leaves none to evaluate: use a smaller fraction`,
    );
  }
  const queries = options.maxQueries !== undefined ? deterministicSample(candidates, options.maxQueries) : candidates;
  const dataset = { ...loaded, queries };
  const progress = createProgress(dataset.name);
  try {
    const run = await runEvaluation(dataset, {
      retrievers: options.retrievers,
      ks: options.ks,
      stateDir: options.stateDir,
      ...(options.embedder !== undefined && { embedder: options.embedder }),
      decompose: options.decompose ?? true,
      rerank: options.rerank ?? false,
      ...(split && { history: split.history }),
      onProgress: (done, total) => progress.update(done, total),
    });
    const report: EvalReport = {
      toolscopeVersion: VERSION,
      dataset: dataset.name,
      catalogFile: options.catalogFile,
      queriesFile: options.queriesFile,
      catalogSize: dataset.tools.length,
      queryCount: queries.length,
      skippedLines: skipped.length,
      ...(queries.length < candidates.length && { sampledFrom: candidates.length }),
      embedder: options.embedder?.id ?? null,
      ...(options.embedderWeights !== undefined && { embedderWeights: options.embedderWeights }),
      ks: [...options.ks].sort((a, b) => a - b),
      indexBuildMs: run.indexBuildMs,
      embeddedTools: run.embeddedTools,
      rssMb: process.memoryUsage().rss / 2 ** 20,
      decompose: options.decompose ?? true,
      rerank: options.rerank ?? false,
      ...(split && {
        history: {
          fraction: options.historyFraction!,
          pastQueries: split.pastQueries,
          ...(run.withoutHistory !== undefined && { withoutHistory: run.withoutHistory }),
        },
      }),
      catalogTokens: run.catalogTokens,
      results: run.results,
      generatedAt: new Date().toISOString(),
    };
    return { report, skipped };
  } finally {
    progress.stop();
  }
}
