/**
 * Published retrieval numbers for the public benchmarks, as listed in each ../shared/datasets/<name>/NOTES.md.
 * Values are fractions (the papers' percentages / 100). `metric` is the key of our own metric that measures the
 * same thing, so a report can put them side by side.
 */
export interface PublishedBaseline {
  readonly dataset: string;
  readonly system: string;
  readonly metric: string;
  readonly value: number;
  /** No training on the benchmark (zero-shot); the goal is to beat the best of these. */
  readonly zeroShot: boolean;
  readonly source: string;
  /** Why the comparison is not exact, when it is not. */
  readonly caveat?: string;
  /** False when the published number ranks a different tool corpus than our converted dataset. */
  readonly sameCorpus?: false;
}

const REINVOKE =
  'Re-Invoke (Chen et al., Findings of EMNLP 2024, arXiv 2408.01875), Table 1/6, as quoted in metatool/NOTES.md (second-hand)';
const REINVOKE_CAVEAT = 'their 20,550 queries; ours may be a deterministic sample of them (see the report header)';
const TOOLLLM = 'ToolLLM (Qin et al., ICLR 2024, arXiv 2307.16789), Table 2, "All" row, per stabletoolbench-solvable/NOTES.md';
const TOOLLLM_CAVEAT =
  'different corpus: ToolLLM ranks over all APIs of each group (train + test queries); ours is the 2,479-API union of the test queries\' api_lists, a smaller pool';
const GORILLA =
  'Gorilla (Patil et al., NeurIPS 2024, arXiv 2305.15334): top-1 hit rate of the paper\'s released retriever outputs, computed in gorilla-apibench/NOTES.md';
const GORILLA_HIT = 'hit@1 = our recall@1 (one gold API per query); their eval-questions files hold the same questions';
const GORILLA_CAVEAT = {
  torchhub: `${GORILLA_HIT}; same corpus (94 documents, 94 distinct api_calls): directly comparable`,
  tfhub:
    `${GORILLA_HIT}; NOT the same corpus: they ranked 696 documents, among them 220 copies of the universal-sentence-encoder ` +
    'call, which makes a top-1 hit on a popular API likely; our catalog has one tool per distinct api_call (77), a harder task',
  huggingface: `${GORILLA_HIT}; nearly the same corpus (936 documents, ours 895 after merging identical api_calls)`,
} as const;

export const PUBLISHED_BASELINES: readonly PublishedBaseline[] = [
  { dataset: 'metatool-single', system: 'BM25', metric: 'recall@1', value: 0.2716, zeroShot: true, source: REINVOKE, caveat: REINVOKE_CAVEAT },
  { dataset: 'metatool-single', system: 'BM25', metric: 'recall@5', value: 0.4618, zeroShot: true, source: REINVOKE, caveat: REINVOKE_CAVEAT },
  { dataset: 'metatool-single', system: 'HyDE + BM25', metric: 'recall@5', value: 0.4337, zeroShot: true, source: REINVOKE, caveat: REINVOKE_CAVEAT },
  { dataset: 'metatool-single', system: 'Vertex AI text embeddings', metric: 'recall@1', value: 0.5265, zeroShot: true, source: REINVOKE, caveat: REINVOKE_CAVEAT },
  { dataset: 'metatool-single', system: 'Vertex AI text embeddings', metric: 'recall@5', value: 0.7574, zeroShot: true, source: REINVOKE, caveat: REINVOKE_CAVEAT },
  { dataset: 'metatool-single', system: 'dense embeddings', metric: 'ndcg@5', value: 0.6522, zeroShot: true, source: REINVOKE, caveat: REINVOKE_CAVEAT },
  {
    dataset: 'metatool-single',
    system: 'Re-Invoke + embeddings (LLM query/tool expansion)',
    metric: 'recall@1',
    value: 0.6715,
    zeroShot: true,
    source: REINVOKE,
    caveat: `${REINVOKE_CAVEAT}; uses an LLM at index and query time`,
  },
  {
    dataset: 'metatool-single',
    system: 'Re-Invoke + embeddings (LLM query/tool expansion)',
    metric: 'recall@5',
    value: 0.8707,
    zeroShot: true,
    source: REINVOKE,
    caveat: `${REINVOKE_CAVEAT}; uses an LLM at index and query time`,
  },
  { dataset: 'metatool-multi', system: 'BM25', metric: 'ndcg@5', value: 0.2635, zeroShot: true, source: REINVOKE },
  { dataset: 'stabletoolbench', system: 'BM25', metric: 'ndcg@1', value: 0.1584, zeroShot: true, source: TOOLLLM, caveat: TOOLLLM_CAVEAT, sameCorpus: false },
  { dataset: 'stabletoolbench', system: 'BM25', metric: 'ndcg@5', value: 0.1563, zeroShot: true, source: TOOLLLM, caveat: TOOLLLM_CAVEAT, sameCorpus: false },
  { dataset: 'stabletoolbench', system: 'OpenAI Ada embeddings', metric: 'ndcg@1', value: 0.4659, zeroShot: true, source: TOOLLLM, caveat: TOOLLLM_CAVEAT, sameCorpus: false },
  { dataset: 'stabletoolbench', system: 'OpenAI Ada embeddings', metric: 'ndcg@5', value: 0.4395, zeroShot: true, source: TOOLLLM, caveat: TOOLLLM_CAVEAT, sameCorpus: false },
  {
    dataset: 'stabletoolbench',
    system: 'ToolLLM retriever (BERT-base trained on ToolBench)',
    metric: 'ndcg@5',
    value: 0.8306,
    zeroShot: false,
    source: TOOLLLM,
    caveat: TOOLLLM_CAVEAT,
    sameCorpus: false,
  },
  { dataset: 'gorilla-torchhub', system: 'BM25', metric: 'recall@1', value: 0.075, zeroShot: true, source: GORILLA, caveat: GORILLA_CAVEAT.torchhub },
  { dataset: 'gorilla-torchhub', system: 'GPT-Index', metric: 'recall@1', value: 0.091, zeroShot: true, source: GORILLA, caveat: GORILLA_CAVEAT.torchhub },
  { dataset: 'gorilla-tfhub', system: 'BM25', metric: 'recall@1', value: 0.222, zeroShot: true, source: GORILLA, caveat: GORILLA_CAVEAT.tfhub, sameCorpus: false },
  { dataset: 'gorilla-tfhub', system: 'GPT-Index', metric: 'recall@1', value: 0.396, zeroShot: true, source: GORILLA, caveat: GORILLA_CAVEAT.tfhub, sameCorpus: false },
  { dataset: 'gorilla-huggingface', system: 'BM25', metric: 'recall@1', value: 0.064, zeroShot: true, source: GORILLA, caveat: GORILLA_CAVEAT.huggingface },
  { dataset: 'gorilla-huggingface', system: 'GPT-Index', metric: 'recall@1', value: 0.167, zeroShot: true, source: GORILLA, caveat: GORILLA_CAVEAT.huggingface },
];

/** Datasets whose NOTES.md lists no usable published retrieval number, and why. */
export const NO_PUBLISHED_BASELINE: Readonly<Record<string, string>> = {
  'seal-tools': 'Seal-Tools/NOTES.md: no verified BM25 or dense numbers (Toolshed reports only a relative +47 Recall@5).',
  'bfcl-multiple': 'bfcl-multiple/NOTES.md: BFCL scores function calling with the candidates given, not retrieval.',
  'mcp-catalog': 'Our own catalog (datasets/): no published numbers exist.',
};

export function baselinesFor(dataset: string): PublishedBaseline[] {
  return PUBLISHED_BASELINES.filter((baseline) => baseline.dataset === dataset);
}
