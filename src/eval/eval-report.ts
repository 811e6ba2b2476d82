/** The JSON `toolscope eval` writes; metric values are fractions in 0..1. */
export interface EvalReport {
  readonly toolscopeVersion: string;
  readonly dataset: string;
  readonly catalogFile: string;
  readonly queriesFile: string;
  readonly catalogSize: number;
  readonly queryCount: number;
  /** Input lines left out under `--skip-bad`. */
  readonly skippedLines: number;
  /** Set when the queries are a deterministic sample of a larger set. */
  readonly sampledFrom?: number;
  /** Embedder id (e.g. `use-lite`), or null when only BM25 ran. */
  readonly embedder: string | null;
  /** The weights file of an embedder loaded from a model folder (`--model-dir`); absent in reports made before. */
  readonly embedderWeights?: EmbedderWeights;
  readonly ks: readonly number[];
  /** Building the index over the whole catalog (lexical + embedding + vector index). */
  readonly indexBuildMs: number;
  /** Tool texts embedded during the build; fewer than catalogSize when vectors came from an earlier run's cache. */
  readonly embeddedTools: number;
  /** Resident memory of the evaluating process after the run (model, indexes, caches), in MiB. */
  readonly rssMb?: number;
  /** Multi-action queries split into one search per action, as toolscope serves them. */
  readonly decompose: boolean;
  /** The second-stage reranker reordered the results (`--rerank`). */
  readonly rerank?: boolean;
  /**
   * `--history`: this fraction of the labelled queries was past use; the queries evaluated are the rest. `results`
   * learned from it; `withoutHistory` (absent in reports made before) is the same retrievers on the same queries
   * without it, the baseline of the gain.
   */
  readonly history?: { readonly fraction: number; readonly pastQueries: number; readonly withoutHistory?: readonly RetrieverResult[] };
  /** o200k tokens of every tool definition in the catalog: what a client sees without a router. */
  readonly catalogTokens: number;
  readonly results: readonly RetrieverResult[];
  readonly generatedAt: string;
}

/** Which build of a model made a report: its ONNX file by hash. */
export interface EmbedderWeights {
  /** `<model>/onnx/<file>.onnx`, under the model folder. */
  readonly file: string;
  readonly sha256: string;
  /** What `toolscope models build` built it from, as its toolscope-model.json records. */
  readonly builtFrom?: string;
}

export interface RetrieverResult {
  readonly retriever: string;
  /** `recall@k`, `complete@k`, `ndcg@k` for each k, and `mrr` (first relevant within the top max-k). */
  readonly metrics: Readonly<Record<string, number>>;
  readonly tokens: readonly TokenCost[];
  readonly latencyMs: { readonly p50: number; readonly p95: number; readonly mean: number };
}

export interface TokenCost {
  readonly k: number;
  /** Mean over queries of the o200k tokens of the top-k tool definitions. */
  readonly meanExposedTokens: number;
  /** 100 × (1 − meanExposedTokens / catalogTokens). */
  readonly savingPercent: number;
}
