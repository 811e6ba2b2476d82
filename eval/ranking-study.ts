/**
 * `npm run eval:ranking`: measures the ranking stages on every suite (query decomposition as served) and fits the
 * confidence calibration for one embedder (`--embedder`, `--model`, `--model-dir` as for `npm run eval`).
 * - the second-stage reranker: recall@5 and latency with and without it (BM25 and hybrid);
 * - learning from use: `--history 0.5` (half the labelled queries as past use) against no history, on the rest;
 * - confidence: a logistic model of "the best result is relevant" over the best result's raw scores and how far they
 *   stand above the other candidates of the same search, fitted on half the queries of every suite and checked on
 *   the other half; negatives are the same queries searched with their relevant tools removed (nothing in the
 *   catalog matches them any more). The report compares it with the raw scores alone and with the other
 *   ranking-level features tried, and checks it on requests from another domain (`offTopicCatalog`).
 * Writes <reports-dir>/ranking.{md,json} and <reports-dir>/confidence-calibration.md. With --install-calibration
 * (a run over every suite only: toolscope serves the models on any catalog) it also refits in
 * src/retrieval/confidence-calibration.ts the BM25 model and this embedder's dense and hybrid models (other embedders'
 * models are kept); without it the shipped models stay as they are, so a trial run changes no source.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import type { EvalQuery } from '../src/eval/dataset-format.js';
import { splitHistory } from '../src/eval/history-split.js';
import { loadEvalDataset } from '../src/eval/load-dataset.js';
import { mean, percentile, recallAtK } from '../src/eval/metrics.js';
import { toIndexableTool } from '../src/eval/run-eval.js';
import { deterministicSample } from '../src/eval/sample.js';
import { prepareStateDir } from '../src/eval/state-dir.js';
import { embedderDescription } from '../src/eval/report-markdown.js';
import { EvalSetupError } from '../src/eval/input-error.js';
import { createLogger } from '../src/log.js';
import { confidence, confidenceFeatures, GOOD_MATCH, requestConfidence, weakestStepBest, type ConfidenceFeature, type ConfidenceModel } from '../src/retrieval/confidence.js';
import { CONFIDENCE_CALIBRATION } from '../src/retrieval/confidence-calibration.js';
import { ToolIndex, type RetrieverKind, type RetrieverOptions } from '../src/retrieval/tool-index.js';
import { FUSION_CANDIDATES } from '../src/retrieval/hybrid.js';
import type { RetrievalSignals, ScoredTool } from '../src/retrieval/types.js';
import { loadEvalEmbedder, type EvalEmbedderOptions } from '../src/eval/eval-embedder.js';
import { addEmbedderOptions, scriptEmbedderContext } from './embedder-options.js';
import { prepareSuiteDatasets } from './suite-datasets.js';
import { narrowedOptions, refusePartialRunIntoDefaultReports } from './partial-run.js';
import { reportUsageErrorsPlainly } from './script-errors.js';
import { reportsDirAsGiven } from './reports-dir.js';
import { addSuiteOptions, type SuiteOptions } from './suite-options.js';

const K = 5;
const HISTORY_FRACTION = 0.5;
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CALIBRATION_SOURCE = 'src/retrieval/confidence-calibration.ts';

reportUsageErrorsPlainly('npm run eval:ranking');
const command = addEmbedderOptions(new Command('npm run eval:ranking --'))
  .description('reranker, learning from use and confidence calibration on every suite')
  .option('--install-calibration', `write the fitted confidence models into ${CALIBRATION_SOURCE} (every suite only)`, false);
addSuiteOptions(command, 300).parse();
const options = command.opts<EvalEmbedderOptions & SuiteOptions & { installCalibration: boolean }>();
const reportsDir = resolve(options.reportsDir);
if (options.installCalibration && options.only !== undefined) {
  throw new EvalSetupError('--install-calibration needs every suite: toolscope serves the confidence models on any catalog; drop --only');
}
refusePartialRunIntoDefaultReports(command, narrowedOptions(command, ['only', 'maxQueries']), 'eval/reports/');
await prepareStateDir(options.stateDir);

/** The features a model may read: the served ones (`confidence.ts`) and those tried and left out. */
type Feature = ConfidenceFeature | TriedFeature;

/** Ranking-level features measured but not served (the report says what each adds). */
const TRIED_FEATURES = {
  lexicalZ: "z-score of the best's BM25 among the lexical candidates",
  lexicalGap: 'log(1 + BM25) above the next lexical candidate (the gap to the second)',
  denseZ: "z-score of the best's cosine among the dense candidates",
  denseGap: 'cosine above the next dense candidate',
  agreement: 'how high the best ranks on both sides: log(1 + lexical rank) + log(1 + dense rank)',
} as const;
type TriedFeature = keyof typeof TRIED_FEATURES;

/** The retriever kinds a confidence model is fitted for (BM25's for every embedder, the others per embedder). */
type FittedKind = 'bm25' | 'dense' | 'hybrid';

/** What each kind's served model reads: chosen on the held-out half (the report's feature table). */
const SERVED_FEATURES: Record<FittedKind, readonly ConfidenceFeature[]> = {
  bm25: ['lexical', 'lexicalLead'],
  dense: ['dense', 'denseLead'],
  hybrid: ['lexical', 'dense', 'lexicalLead', 'denseLead'],
};
/** The model before ranking-level features: the best result's raw scores. */
const RAW_FEATURES: Record<FittedKind, readonly ConfidenceFeature[]> = { bm25: ['lexical'], dense: ['dense'], hybrid: ['lexical', 'dense'] };

interface Sample {
  readonly suite: string;
  readonly kind: FittedKind;
  readonly signals: RetrievalSignals | undefined;
  readonly features: Readonly<Record<Feature, number>>;
  readonly relevant: boolean;
  /** Whether the catalog searched held the query's relevant tools (false: searched with them removed). */
  readonly answerable: boolean;
  /** Even: fitting half; odd: held-out half. */
  readonly fold: number;
}

/** One search as served (decomposition on, the results an agent sees): what "no good match" is judged on. */
interface ServedSample {
  readonly suite: string;
  readonly kind: Sample['kind'];
  readonly results: ReadonlyArray<{ readonly signals: RetrievalSignals | undefined; readonly step?: number }>;
  /** Whether a relevant tool is among the results. */
  readonly shown: boolean;
  readonly answerable: boolean;
  readonly fold: number;
}

/** The best result of a request searched in another suite's catalog, built for other work (never fitted on). */
interface OffTopicSample {
  readonly suite: string;
  readonly catalog: string;
  readonly kind: Sample['kind'];
  readonly signals: RetrievalSignals | undefined;
  readonly fold: number;
}

/**
 * Where a suite's requests are off topic: requests for a model of an ML hub in the catalog of MCP servers, every
 * other suite's (general APIs and apps) in the Hugging Face model hub. Unlike a catalog with only the relevant tools
 * removed, nothing of the same family is left to half-answer them.
 */
const offTopicCatalog = (suite: string) => (suite.startsWith('gorilla-') ? 'mcp-catalog' : 'gorilla-huggingface');

interface SuiteRow {
  readonly suite: string;
  readonly tools: number;
  readonly queries: number;
  readonly recall: Record<string, number>;
  readonly latencyMs: Record<string, { p50: number; p95: number }>;
  readonly history: { readonly pastQueries: number; readonly evaluated: number; readonly without: number; readonly with: number };
}

const { embedder, weights } = await loadEvalEmbedder(options, scriptEmbedderContext(createLogger('warn')));
const datasets = await prepareSuiteDatasets({
  repoRoot,
  sourceRoot: options.datasetsRoot,
  cacheRoot: join(repoRoot, '.cache', 'datasets'),
  ...(options.only !== undefined && { only: new Set(options.only.split(',').map((name) => name.trim())) }),
});

const percent = (value: number) => (100 * value).toFixed(1);
const signed = (value: number) => `${value >= 0 ? '+' : ''}${(100 * value).toFixed(1)}`;

const rows: SuiteRow[] = [];
const samples: Sample[] = [];
const served: ServedSample[] = [];
const searched = new Map<string, { index: ToolIndex; queries: readonly EvalQuery[] }>();
for (const materialized of datasets) {
  const started = Date.now();
  const { dataset } = await loadEvalDataset(materialized.catalogFile, materialized.queriesFile, { skipBad: true, name: materialized.name });
  const index = await ToolIndex.build(dataset.tools.map(toIndexableTool), {
    embedder,
    stateDir: join(options.stateDir, dataset.name),
  });
  const queries = deterministicSample(dataset.queries, options.maxQueries);
  searched.set(dataset.name, { index, queries });

  const recall: Record<string, number> = {};
  const latencyMs: Record<string, { p50: number; p95: number }> = {};
  for (const kind of ['bm25', 'hybrid'] as const) {
    for (const rerank of [false, true]) {
      const label = `${kind}${rerank ? '+rerank' : ''}`;
      const run = await measure(index, kind, { rerank }, queries);
      recall[label] = run.recall;
      latencyMs[label] = run.latency;
      if (!rerank) {
        samples.push(...(await confidenceSamples(index, kind, dataset.name, queries)));
        served.push(...(await servedSamples(index, kind, dataset.name, queries)));
      }
    }
  }
  samples.push(...(await confidenceSamples(index, 'dense', dataset.name, queries)));

  const split = splitHistory(dataset.queries, HISTORY_FRACTION);
  const rest = deterministicSample(split.rest, options.maxQueries);
  const without = await measure(index, 'hybrid', {}, rest);
  const withHistory = await measure(index, 'hybrid', { history: split.history }, rest);
  rows.push({
    suite: dataset.name,
    tools: dataset.tools.length,
    queries: queries.length,
    recall,
    latencyMs,
    history: { pastQueries: split.pastQueries, evaluated: rest.length, without: without.recall, with: withHistory.recall },
  });
  process.stderr.write(`${dataset.name}: done in ${Math.round((Date.now() - started) / 1000)} s\n`);
}

const offTopic: OffTopicSample[] = [];
for (const [suite, { queries }] of searched) {
  const catalog = offTopicCatalog(suite);
  const foreign = searched.get(catalog);
  if (!foreign) continue;
  for (const kind of ['bm25', 'dense', 'hybrid'] as const) {
    const retriever = foreign.index.retriever(kind, { decompose: false });
    for (const [i, query] of queries.entries()) {
      const [best] = await retriever.search(query.query, { limit: 1 });
      if (best) offTopic.push({ suite, catalog, kind, signals: best.signals, fold: i % 2 });
    }
  }
}

const fitting = (kind: Sample['kind']) => samples.filter((s) => s.kind === kind && s.fold === 0);
const models: Record<string, ConfidenceModel> = {
  bm25: servedModel(fitLogistic(fitting('bm25'), SERVED_FEATURES.bm25)),
  [`dense:${embedder.id}`]: servedModel(fitLogistic(fitting('dense'), SERVED_FEATURES.dense)),
  [`hybrid:${embedder.id}`]: servedModel(fitLogistic(fitting('hybrid'), SERVED_FEATURES.hybrid)),
};
await mkdir(reportsDir, { recursive: true });
await writeFile(join(reportsDir, 'ranking.json'), `${JSON.stringify({ embedder: embedder.id, ...(weights !== undefined && { embedderWeights: weights }), k: K, rows }, null, 2)}\n`);
await writeFile(join(reportsDir, 'ranking.md'), rankingReport(rows));
await writeFile(join(reportsDir, 'confidence-calibration.md'), calibrationReport(models, samples, offTopic, served));
const notFitted = Object.entries(models).filter(([, model]) => !Object.values(model).every(Number.isFinite));
if (!options.installCalibration) {
  process.stderr.write(
    `confidence models fitted (${join(reportsDirAsGiven(command), 'confidence-calibration.md')}), not installed: ` +
      `--install-calibration writes them into ${CALIBRATION_SOURCE}\n`,
  );
} else if (notFitted.length > 0) {
  throw new EvalSetupError(`not installing the confidence models: ${notFitted.map(([key]) => key).join(', ')} could not be fitted (too few samples?)`);
} else {
  await installCalibration(models);
  process.stderr.write(`confidence models installed in ${CALIBRATION_SOURCE}\n`);
}

async function installCalibration(models: Readonly<Record<string, ConfidenceModel>>): Promise<void> {
  await writeFile(
    join(repoRoot, CALIBRATION_SOURCE),
    `// Written by \`npm run eval:ranking\` (eval/ranking-study.ts), one embedder per run; the reports are\n` +
      `// confidence-calibration.md in eval/reports (use-lite) and in eval/reports/models/<model> (transformers models).\n` +
      `import type { ConfidenceModel } from './confidence.js';\n\n` +
      `export const CONFIDENCE_CALIBRATION: { readonly models: Readonly<Record<string, ConfidenceModel>> } = {\n` +
      `  models: ${JSON.stringify({ ...CONFIDENCE_CALIBRATION.models, ...models }, null, 2).replace(/\n/g, '\n  ')},\n};\n`,
  );
}

async function measure(index: ToolIndex, kind: RetrieverKind, stages: RetrieverOptions, queries: readonly EvalQuery[]) {
  const retriever = index.retriever(kind, stages);
  await retriever.search(queries[0]?.query ?? '', { limit: K });
  const latencies: number[] = [];
  const rankings: ScoredTool[][] = [];
  for (const query of queries) {
    const start = performance.now();
    rankings.push(await retriever.search(query.query, { limit: K }));
    latencies.push(performance.now() - start);
  }
  const recall = mean(rankings.map((ranked, i) => recallAtK(ranked.map(({ id }) => id), new Set(queries[i]!.relevant), K)));
  return { recall, rankings, latency: { p50: percentile(latencies, 50), p95: percentile(latencies, 95) } };
}

/**
 * The best result's signals, labelled; and the same query with its relevant tools removed (never relevant). Each
 * side's own candidate list (as the hybrid fuses it) gives the tried features.
 */
async function confidenceSamples(
  index: ToolIndex,
  kind: Sample['kind'],
  suite: string,
  queries: readonly EvalQuery[],
): Promise<Sample[]> {
  const retriever = index.retriever(kind, { decompose: false });
  const sides = {
    lexical: index.retriever('bm25', { decompose: false }),
    dense: kind === 'bm25' ? undefined : index.retriever('dense', { decompose: false }),
  };
  const found: Sample[] = [];
  for (const [i, query] of queries.entries()) {
    const relevant = new Set(query.relevant);
    const fold = i % 2;
    for (const answerable of [true, false]) {
      const filter = answerable ? undefined : (id: string) => !relevant.has(id);
      const search = (searcher: { search: typeof retriever.search }, limit: number) =>
        searcher.search(query.query, { limit, ...(filter && { filter }) });
      const [best] = await search(retriever, 1);
      if (!best) continue;
      const [lexical, dense] = await Promise.all([search(sides.lexical, FUSION_CANDIDATES), sides.dense ? search(sides.dense, FUSION_CANDIDATES) : []]);
      const features = { ...confidenceFeatures(best.signals), ...triedFeatures(best.id, lexical, dense) };
      found.push({ suite, kind, signals: best.signals, features, relevant: answerable && relevant.has(best.id), answerable, fold });
    }
  }
  return found;
}

/** Each query searched as served, in its catalog and with its relevant tools removed. */
async function servedSamples(index: ToolIndex, kind: Sample['kind'], suite: string, queries: readonly EvalQuery[]): Promise<ServedSample[]> {
  const retriever = index.retriever(kind);
  const found: ServedSample[] = [];
  for (const [i, query] of queries.entries()) {
    const relevant = new Set(query.relevant);
    for (const answerable of [true, false]) {
      const results = await retriever.search(query.query, { limit: K, ...(!answerable && { filter: (id: string) => !relevant.has(id) }) });
      const shown = results.some(({ id }) => relevant.has(id));
      found.push({ suite, kind, results: results.map(({ signals, step }) => ({ signals, step })), shown, answerable, fold: i % 2 });
    }
  }
  return found;
}

/**
 * The features tried beside the served ones, from each side's raw scores (BM25, cosine): the sides' rankings pass the
 * later stages, whose scores are z-scores plus lifts (below -1 for some, where log(1 + score) is not a number).
 */
function triedFeatures(id: string, lexical: readonly ScoredTool[], dense: readonly ScoredTool[]): Record<TriedFeature, number> {
  const rawLexical = lexical.map((hit) => ({ ...hit, score: hit.signals?.lexical ?? 0 }));
  const lexicalSide = standing(id, rawLexical.map((hit) => ({ ...hit, score: Math.log1p(hit.score) })));
  const denseSide = standing(id, dense.map((hit) => ({ ...hit, score: hit.signals?.dense ?? 0 })));
  return {
    lexicalZ: standing(id, rawLexical).z,
    lexicalGap: lexicalSide.gap,
    denseZ: denseSide.z,
    denseGap: denseSide.gap,
    agreement: Math.log1p(lexicalSide.rank) + Math.log1p(denseSide.rank),
  };
}

/** A tool's place among a side's candidates; a tool the side did not rank scores below all of them. */
function standing(id: string, candidates: readonly ScoredTool[]): { z: number; gap: number; rank: number } {
  if (candidates.length === 0) return { z: 0, gap: 0, rank: FUSION_CANDIDATES };
  const scores = candidates.map(({ score }) => score);
  const at = candidates.findIndex((hit) => hit.id === id);
  const own = at >= 0 ? scores[at]! : Math.min(...scores);
  const others = scores.filter((_, i) => i !== at);
  const average = mean(scores);
  const spread = Math.sqrt(mean(scores.map((score) => (score - average) ** 2)));
  return {
    z: spread === 0 ? 0 : (own - average) / spread,
    gap: own - (others.length > 0 ? Math.max(...others) : own),
    rank: at >= 0 ? at : FUSION_CANDIDATES,
  };
}

interface LogisticFit {
  readonly intercept: number;
  readonly weights: Readonly<Partial<Record<Feature, number>>>;
}

/** Logistic regression by Newton's method (a handful of features, a few thousand samples). */
function fitLogistic(data: readonly Sample[], names: readonly Feature[]): LogisticFit {
  const features = (s: Sample) => [1, ...names.map((name) => s.features[name])];
  const n = names.length + 1;
  let w = new Array<number>(n).fill(0);
  for (let iteration = 0; iteration < 50; iteration++) {
    const gradient = new Array<number>(n).fill(0);
    const hessian = Array.from({ length: n }, () => new Array<number>(n).fill(0));
    for (const sample of data) {
      const x = features(sample);
      const p = 1 / (1 + Math.exp(-x.reduce((sum, xi, j) => sum + xi * w[j]!, 0)));
      const y = sample.relevant ? 1 : 0;
      for (let a = 0; a < n; a++) {
        gradient[a]! += (y - p) * x[a]! - 1e-4 * w[a]!;
        for (let b = 0; b < n; b++) hessian[a]![b]! -= p * (1 - p) * x[a]! * x[b]! + (a === b ? 1e-4 : 0);
      }
    }
    const step = solve(hessian, gradient);
    w = w.map((wi, j) => wi - step[j]!);
  }
  const round = (value: number) => Math.round(value * 1e4) / 1e4;
  return { intercept: round(w[0]!), weights: Object.fromEntries(names.map((name, j) => [name, round(w[j + 1]!)])) };
}

function predictWith(fit: LogisticFit, sample: Sample): number {
  const logit = Object.entries(fit.weights).reduce((sum, [name, weight]) => sum + weight * sample.features[name as Feature], fit.intercept);
  return 1 / (1 + Math.exp(-logit));
}

/** A fit over served features only, as the calibration file stores it. */
function servedModel(fit: LogisticFit): ConfidenceModel {
  return { intercept: fit.intercept, lexical: fit.weights.lexical ?? 0, ...fit.weights };
}

function solve(matrix: number[][], vector: number[]): number[] {
  const n = vector.length;
  const m = matrix.map((row, i) => [...row, vector[i]!]);
  for (let col = 0; col < n; col++) {
    const pivot = m.slice(col).reduce((best, row, i) => (Math.abs(row[col]!) > Math.abs(m[best]![col]!) ? col + i : best), col);
    [m[col], m[pivot]] = [m[pivot]!, m[col]!];
    for (let row = 0; row < n; row++) {
      if (row === col) continue;
      const factor = m[row]![col]! / m[col]![col]!;
      for (let c = col; c <= n; c++) m[row]![c]! -= factor * m[col]![c]!;
    }
  }
  return m.map((row, i) => row[n]! / row[i]!);
}

/** Probability that a random member of `higher` is scored above a random member of `lower` (ties count half). */
function rocAuc(higher: ReadonlyArray<{ p: number }>, lower: ReadonlyArray<{ p: number }>): number {
  return mean(higher.map(({ p }) => mean(lower.map((n) => (p > n.p ? 1 : p === n.p ? 0.5 : 0)))));
}

function rankingReport(table: readonly SuiteRow[]): string {
  const lines = [
    '# Ranking stages: reranker and learning from use',
    '',
    `Written by \`npm run eval:ranking\` (eval/ranking-study.ts). Embedder ${embedderDescription(embedder.id, weights)}; query decomposition as served; ` +
      `recall@${K} in percent on a deterministic sample of at most ${options.maxQueries} queries per suite.`,
    '',
    '## Second-stage reranker (`retrieval.rerank`)',
    '',
    '| suite | tools | queries | BM25 | BM25 + rerank | hybrid | hybrid + rerank | change (hybrid) | hybrid p50 / p95 ms | with rerank p50 / p95 ms |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...table.map((row) => {
      const r = row.recall;
      const plain = row.latencyMs.hybrid!;
      const reranked = row.latencyMs['hybrid+rerank']!;
      return (
        `| ${row.suite} | ${row.tools} | ${row.queries} | ${percent(r.bm25!)} | ${percent(r['bm25+rerank']!)} | ` +
        `${percent(r.hybrid!)} | ${percent(r['hybrid+rerank']!)} | ${signed(r['hybrid+rerank']! - r.hybrid!)} | ` +
        `${plain.p50.toFixed(1)} / ${plain.p95.toFixed(1)} | ${reranked.p50.toFixed(1)} / ${reranked.p95.toFixed(1)} |`
      );
    }),
    '',
    `## Learning from use (\`toolscope eval --history ${HISTORY_FRACTION}\`)`,
    '',
    `${HISTORY_FRACTION * 100}% of each suite's labelled queries (chosen by hash of their id) are past use: each query with ` +
      'the tools labelled relevant for it, as if a principal had searched and called them. Hybrid recall@5 on a sample of the rest.',
    '',
    '| suite | past queries | evaluated | without history | with history | change |',
    '| --- | --- | --- | --- | --- | --- |',
    ...table.map(
      (row) =>
        `| ${row.suite} | ${row.history.pastQueries} | ${row.history.evaluated} | ${percent(row.history.without)} | ` +
        `${percent(row.history.with)} | ${signed(row.history.with - row.history.without)} |`,
    ),
    '',
  ];
  return `${lines.join('\n')}\n`;
}

/** Held-out AUCs and log loss of a fit: "the best result is relevant", and in-catalog against out-of-catalog requests. */
function heldOutScores(fit: LogisticFit, held: readonly Sample[]) {
  const scored = held.map((s) => ({ s, p: predictWith(fit, s) }));
  return {
    relevant: rocAuc(scored.filter(({ s }) => s.relevant), scored.filter(({ s }) => !s.relevant)),
    inVsOut: rocAuc(scored.filter(({ s }) => s.answerable), scored.filter(({ s }) => !s.answerable)),
    logLoss: -mean(scored.map(({ s, p }) => Math.log(s.relevant ? p : 1 - p))),
  };
}

function featureTable(kind: Sample['kind'], all: readonly Sample[]): string[] {
  const fitting = all.filter((s) => s.kind === kind && s.fold === 0);
  const held = all.filter((s) => s.kind === kind && s.fold === 1);
  const raw = RAW_FEATURES[kind];
  const served = SERVED_FEATURES[kind];
  const tried = (Object.keys(TRIED_FEATURES) as TriedFeature[]).filter(
    (name) => kind === 'hybrid' || name.startsWith(kind === 'bm25' ? 'lexical' : 'dense'),
  );
  const leads = served.filter((name) => !raw.includes(name));
  const rows: Array<[string, readonly Feature[]]> = [
    ['raw scores (before)', raw],
    ...[...leads, ...tried].map((name): [string, readonly Feature[]] => [`raw + ${name}`, [...raw, name]]),
    ['**served (after)**', served],
    ...tried.map((name): [string, readonly Feature[]] => [`served + ${name}`, [...served, name]]),
  ];
  return [
    `| ${kind} model | features | AUC relevant | AUC in vs out | log loss |`,
    '| --- | --- | --- | --- | --- |',
    ...rows.map(([label, names]) => {
      const score = heldOutScores(fitLogistic(fitting, names), held);
      return `| ${label} | ${names.join(', ')} | ${score.relevant.toFixed(3)} | ${score.inVsOut.toFixed(3)} | ${score.logLoss.toFixed(4)} |`;
    }),
  ];
}

/**
 * For each threshold, Youden's J (share of relevant best results called good minus share of irrelevant ones called
 * good) per model, on the fitting half and on the held-out half: what GOOD_MATCH is weighed on.
 */
function thresholdTable(fitted: Record<string, ConfidenceModel>, all: readonly Sample[]): string[] {
  const thresholds = [0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4];
  const keys = Object.keys(fitted);
  const youden = (key: string, fold: number, threshold: number) => {
    const kind = key.split(':')[0];
    const scored = all
      .filter((s) => s.kind === kind && s.fold === fold)
      .map((s) => ({ s, good: confidence(s.signals, fitted[key]!) >= threshold }));
    const share = (group: typeof scored) => group.filter(({ good }) => good).length / Math.max(1, group.length);
    return share(scored.filter(({ s }) => s.relevant)) - share(scored.filter(({ s }) => !s.relevant));
  };
  const columns = [0, 1].flatMap((fold) => keys.map((key) => ({ key, fold })));
  return [
    `| threshold | ${columns.map(({ key, fold }) => `J ${key}, ${fold === 0 ? 'fitting' : 'held out'}`).join(' | ')} | mean fitting | mean held out |`,
    `| --- | ${columns.map(() => '---').join(' | ')} | --- | --- |`,
    ...thresholds.map((threshold) => {
      const js = columns.map(({ key, fold }) => youden(key, fold, threshold));
      const meanOf = (fold: number) => mean(js.filter((_, i) => columns[i]!.fold === fold)).toFixed(3);
      return `| ${threshold.toFixed(2)}${threshold === GOOD_MATCH ? ' (GOOD_MATCH)' : ''} | ${js.map((j) => j.toFixed(3)).join(' | ')} | ${meanOf(0)} | ${meanOf(1)} |`;
    }),
  ];
}

/** The share of a group of confidences told "no good match", in percent. */
function saysNone(group: ReadonlyArray<{ p: number }>): string {
  return percent(group.filter(({ p }) => p < GOOD_MATCH).length / Math.max(1, group.length));
}

/**
 * Held-out requests in their own catalog against the same requests in another domain's (`offTopicCatalog`): how
 * often each is told "no good match", and the ROC AUC of the best confidence between the two.
 */
function offTopicTable(model: ConfidenceModel, kind: Sample['kind'], own: readonly Sample[], foreign: readonly OffTopicSample[]): string[] {
  const heldOwn = own.filter((s) => s.kind === kind && s.fold === 1 && s.answerable);
  const heldForeign = foreign.filter((s) => s.kind === kind && s.fold === 1);
  const row = (suite: string | undefined) => {
    const inOwn = heldOwn.filter((s) => suite === undefined || s.suite === suite).map((s) => ({ p: confidence(s.signals, model) }));
    const offSide = heldForeign.filter((s) => suite === undefined || s.suite === suite);
    const inForeign = offSide.map((s) => ({ p: confidence(s.signals, model) }));
    const catalog = suite === undefined ? '' : (offSide[0]?.catalog ?? '');
    return `| ${suite ?? '**all**'} | ${catalog} | ${inOwn.length} | ${saysNone(inOwn)} | ${inForeign.length} | ${saysNone(inForeign)} | ${rocAuc(inOwn, inForeign).toFixed(3)} |`;
  };
  if (heldForeign.length === 0) return [];
  return [
    'Requests from another domain: each held-out request searched in its own catalog and in the catalog of another suite, ' +
      'built for other work (model-hub requests in mcp-catalog, all others in the Hugging Face model hub): how often each ' +
      'is told "no good match", and the ROC AUC of the best confidence between the two.',
    '',
    '| suite | other catalog | in own catalog | said "no good match" % | in the other | said "no good match" % | AUC own vs other |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...[...new Set(heldForeign.map((s) => s.suite)), undefined].map(row),
    '',
  ];
}

/**
 * "No good match" as served, held out: how often it is said for requests in their catalog and with their relevant
 * tools removed, and how often a relevant tool was among the five results all the same, by the weakest action's best
 * (before) and by `requestConfidence` (after).
 */
function servedTable(model: ConfidenceModel, kind: Sample['kind'], all: readonly ServedSample[]): string[] {
  const held = all.filter((s) => s.kind === kind && s.fold === 1);
  if (held.length === 0) return [];
  const rules = [weakestStepBest, requestConfidence].map((rule) => (s: ServedSample) => ({
    p: rule(s.results.map(({ signals, step }) => ({ confidence: confidence(signals, model), ...(step !== undefined && { step }) }))) ?? 0,
  }));
  const row = (suite: string | undefined) => {
    const own = held.filter((s) => suite === undefined || s.suite === suite);
    const inCatalog = own.filter((s) => s.answerable);
    const outOfCatalog = own.filter((s) => !s.answerable);
    const cells = rules.flatMap((rule) => {
      const toldNone = inCatalog.filter((s) => rule(s).p < GOOD_MATCH);
      const shownAnyway = toldNone.length ? percent(toldNone.filter((s) => s.shown).length / toldNone.length) : '–';
      return [saysNone(inCatalog.map(rule)), shownAnyway, saysNone(outOfCatalog.map(rule))];
    });
    return `| ${suite ?? '**all**'} | ${inCatalog.length} | ${cells.join(' | ')} |`;
  };
  return [
    `As served (query decomposition on, the ${K} results an agent sees): "no good match" for held-out requests in their ` +
      'catalog and with their relevant tools removed, and of the in-catalog requests told so, how many had a relevant ' +
      'tool among the results all the same. Before: the weakest action\'s best decides; after: `requestConfidence`.',
    '',
    '| suite | requests | in catalog, before % | relevant shown, before % | removed, before % | in catalog, after % | relevant shown, after % | removed, after % |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...[...new Set(held.map((s) => s.suite)), undefined].map(row),
    '',
  ];
}

function calibrationReport(
  fitted: Record<string, ConfidenceModel>,
  all: readonly Sample[],
  foreign: readonly OffTopicSample[],
  served: readonly ServedSample[],
): string {
  const sections = Object.entries(fitted).map(([key, model]) => {
    const kind = key.split(':')[0] as Sample['kind'];
    const held = all.filter((s) => s.kind === kind && s.fold === 1);
    const before = fitLogistic(all.filter((s) => s.kind === kind && s.fold === 0), RAW_FEATURES[kind]);
    const scored = held.map((s) => ({ s, p: confidence(s.signals, model), before: predictWith(before, s) }));
    const bins = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9].map((low) => {
      const inBin = scored.filter(({ p }) => p >= low && (p < low + 0.1 || (low === 0.9 && p <= 1)));
      return `| ${low.toFixed(1)}–${(low + 0.1).toFixed(1)} | ${inBin.length} | ${inBin.length ? percent(mean(inBin.map(({ p }) => p))) : '–'} | ${inBin.length ? percent(mean(inBin.map(({ s }) => (s.relevant ? 1 : 0)))) : '–'} |`;
    });
    const positives = scored.filter(({ s }) => s.relevant);
    const auc = rocAuc(positives, scored.filter(({ s }) => !s.relevant));
    const saidNone = scored.filter(({ p }) => p < GOOD_MATCH);
    const perSuite = [...new Set(held.map((s) => s.suite))].map((suite) => {
      const own = scored.filter(({ s }) => s.suite === suite);
      const none = own.filter(({ p }) => p < GOOD_MATCH);
      const good = own.filter(({ p }) => p >= GOOD_MATCH);
      return `| ${suite} | ${own.length} | ${percent(none.length / own.length)} | ${none.length ? percent(mean(none.map(({ s }) => (s.relevant ? 0 : 1)))) : '–'} | ${good.length ? percent(mean(good.map(({ s }) => (s.relevant ? 1 : 0)))) : '–'} |`;
    });
    const separation = (suite: string | undefined) => {
      const own = scored.filter(({ s }) => suite === undefined || s.suite === suite);
      const answerable = own.filter(({ s }) => s.answerable);
      const unanswerable = own.filter(({ s }) => !s.answerable);
      const aucs = (pick: (entry: (typeof own)[number]) => number, higher: typeof own, lower: typeof own) =>
        rocAuc(higher.map((entry) => ({ p: pick(entry) })), lower.map((entry) => ({ p: pick(entry) }))).toFixed(3);
      const relevantOnes = own.filter(({ s }) => s.relevant);
      const others = own.filter(({ s }) => !s.relevant);
      return (
        `| ${suite ?? '**all**'} | ${answerable.length} | ${saysNone(answerable)} | ${unanswerable.length} | ${saysNone(unanswerable)} | ` +
        `${aucs((e) => e.before, answerable, unanswerable)} | ${aucs((e) => e.p, answerable, unanswerable)} | ` +
        `${aucs((e) => e.before, relevantOnes, others)} | ${aucs((e) => e.p, relevantOnes, others)} |`
      );
    };
    return [
      `## ${key}`,
      '',
      `Model: ${JSON.stringify(model)} (features: ${Object.keys(model).filter((name) => name !== 'intercept').join(', ')}; ` +
        `\`confidence.ts\`). Held-out samples: ${held.length} (${positives.length} relevant). ROC AUC ${auc.toFixed(3)} ` +
        `(raw scores alone: ${JSON.stringify(before.weights)}, intercept ${before.intercept}).`,
      '',
      '| predicted | samples | mean predicted % | actually relevant % |',
      '| --- | --- | --- | --- |',
      ...bins,
      '',
      `"No good match" (confidence below ${GOOD_MATCH}) is said for ${percent(saidNone.length / scored.length)}% of held-out ` +
        `samples; it is right (the result was not relevant) for ${saidNone.length ? percent(mean(saidNone.map(({ s }) => (s.relevant ? 0 : 1)))) : '–'}% of them.`,
      '',
      '| suite | samples | said "no good match" % | of which right % | results called good that are relevant % |',
      '| --- | --- | --- | --- | --- |',
      ...perSuite,
      '',
      'In-catalog requests (searched as labelled) against out-of-catalog ones (the same requests with their relevant tools ' +
        'removed): how often each is told "no good match"; the ROC AUC of the best confidence between the two ' +
        '(0.5: no separation, 1: complete), and between relevant and irrelevant best results, for the raw-score model ' +
        '(before) and the served one (after).',
      '',
      '| suite | in-catalog | said "no good match" % | out-of-catalog | said "no good match" % | AUC in vs out, before | after | AUC relevant, before | after |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
      ...[...new Set(held.map((s) => s.suite)), undefined].map(separation),
      '',
      ...offTopicTable(model, kind, all, foreign),
      ...servedTable(model, kind, served),
    ].join('\n');
  });
  return [
    '# Confidence calibration',
    '',
    `Written by \`npm run eval:ranking\` (eval/ranking-study.ts), embedder ${embedderDescription(embedder.id, weights)}. For each query of each suite (the sample of`,
    '`ranking.md` beside this report), the best result of the bare first stage is a sample, labelled relevant or not; the same',
    'query searched with its relevant tools removed gives a second sample, never relevant (a request nothing in the',
    'catalog answers). A logistic model is fitted on the even-numbered queries; the tables check it on the odd-numbered',
    'ones. It reads the best result\'s raw scores (log(1 + BM25), cosine) and how far they stand above the other',
    `candidates of the same search (the ${FUSION_CANDIDATES} each side ranks): lexicalLead, log(1 + BM25) above that of the fifth best`,
    'lexical candidate; denseLead, the cosine above the mean cosine of the dense candidates. search_tools and `/v1/route`',
    `report this probability and say "no good match" below ${GOOD_MATCH}. Dense and hybrid models are fitted per embedder; with`,
    'any other embedder the BM25 model is used. Query decomposition gives a step no lane when it opens with no action verb',
    'and none of its tools reaches MIN_STEP_CONFIDENCE (`query-decomposition.ts`).',
    '',
    '## Features',
    '',
    'Held-out AUCs and log loss of models fitted on the same half with other feature sets: the raw scores alone (the',
    'model before ranking-level features), each feature added to them, the served set, and each feature left out added to',
    'it. Tried and left out:',
    '',
    ...(Object.entries(TRIED_FEATURES) as Array<[TriedFeature, string]>).map(([name, meaning]) => `- ${name}: ${meaning}`),
    '',
    ...featureTable('bm25', all),
    '',
    ...featureTable('dense', all),
    '',
    ...featureTable('hybrid', all),
    '',
    '## The "no good match" threshold',
    '',
    'Youden\'s J (share of relevant best results called good minus share of irrelevant ones called good) for each threshold,',
    'on the fitting half and on the held-out half. GOOD_MATCH is one threshold for every model; `confidence.ts` says why it',
    'is where it is.',
    '',
    ...thresholdTable(fitted, all),
    '',
    ...sections,
  ].join('\n');
}
