/**
 * `npm run eval:ranking`: measures the ranking stages on every suite (query decomposition as served) and fits the
 * confidence calibration for one embedder (`--embedder`, `--model`, `--model-dir` as for `npm run eval`).
 * - the second-stage reranker: recall@5 and latency with and without it (BM25 and hybrid);
 * - learning from use: `--history 0.5` (half the labelled queries as past use) against no history, on the rest;
 * - confidence: a logistic model of "the best result is relevant" over the best result's raw scores, fitted on half
 *   the queries of every suite and checked on the other half; negatives are the same queries searched with their
 *   relevant tools removed (nothing in the catalog matches them any more).
 * Writes <reports-dir>/ranking.{md,json} and <reports-dir>/confidence-calibration.md, and refits in
 * src/retrieval/confidence-calibration.ts the BM25 model and this embedder's hybrid model (other embedders' models
 * are kept).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { positiveInteger } from '../src/cli/options.js';
import type { EvalQuery } from '../src/eval/dataset-format.js';
import { splitHistory } from '../src/eval/history-split.js';
import { loadEvalDataset } from '../src/eval/load-dataset.js';
import { mean, percentile, recallAtK } from '../src/eval/metrics.js';
import { toIndexableTool } from '../src/eval/run-eval.js';
import { deterministicSample } from '../src/eval/sample.js';
import { createLogger } from '../src/log.js';
import { GOOD_MATCH, type ConfidenceModel } from '../src/retrieval/confidence.js';
import { CONFIDENCE_CALIBRATION } from '../src/retrieval/confidence-calibration.js';
import { ToolIndex, type RetrieverKind, type RetrieverOptions } from '../src/retrieval/tool-index.js';
import type { ScoredTool } from '../src/retrieval/types.js';
import { addEmbedderOptions, loadEvalEmbedder, type EmbedderOptions } from './embedder-options.js';
import { prepareSuiteDatasets } from './suite-datasets.js';

const K = 5;
const HISTORY_FRACTION = 0.5;
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const options = addEmbedderOptions(new Command('npm run eval:ranking --'))
  .description('reranker, learning from use and confidence calibration on every suite')
  .option('--only <names>', 'comma-separated dataset names')
  .option('--max-queries <n>', 'deterministic sample of queries per dataset', positiveInteger, 300)
  .option('--datasets-root <dir>', 'the shared public benchmarks', resolve(repoRoot, '..', 'shared', 'datasets'))
  .option('--state-dir <dir>', 'embedding caches kept between runs', join(repoRoot, '.cache', 'eval-state'))
  .option('--reports-dir <dir>', 'where the reports go', join(repoRoot, 'eval', 'reports'))
  .parse()
  .opts<EmbedderOptions & { only?: string; maxQueries: number; datasetsRoot: string; stateDir: string; reportsDir: string }>();
const reportsDir = resolve(options.reportsDir);

interface Sample {
  readonly suite: string;
  readonly kind: RetrieverKind;
  readonly lexical: number;
  readonly dense: number;
  readonly relevant: boolean;
  /** Whether the catalog searched held the query's relevant tools (false: searched with them removed). */
  readonly answerable: boolean;
  /** Even: fitting half; odd: held-out half. */
  readonly fold: number;
}

interface SuiteRow {
  readonly suite: string;
  readonly tools: number;
  readonly queries: number;
  readonly recall: Record<string, number>;
  readonly latencyMs: Record<string, { p50: number; p95: number }>;
  readonly history: { readonly pastQueries: number; readonly evaluated: number; readonly without: number; readonly with: number };
}

const embedder = await loadEvalEmbedder(options, createLogger('warn'));
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
for (const materialized of datasets) {
  const started = Date.now();
  const { dataset } = await loadEvalDataset(materialized.catalogFile, materialized.queriesFile, { skipBad: true, name: materialized.name });
  const index = await ToolIndex.build(dataset.tools.map(toIndexableTool), {
    embedder,
    stateDir: join(options.stateDir, dataset.name),
  });
  const queries = deterministicSample(dataset.queries, options.maxQueries);

  const recall: Record<string, number> = {};
  const latencyMs: Record<string, { p50: number; p95: number }> = {};
  for (const kind of ['bm25', 'hybrid'] as const) {
    for (const rerank of [false, true]) {
      const label = `${kind}${rerank ? '+rerank' : ''}`;
      const run = await measure(index, kind, { rerank }, queries);
      recall[label] = run.recall;
      latencyMs[label] = run.latency;
      if (!rerank) samples.push(...(await confidenceSamples(index, kind, dataset.name, queries)));
    }
  }

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

const models: Record<string, ConfidenceModel> = {
  bm25: fitLogistic(samples.filter((s) => s.kind === 'bm25' && s.fold === 0), false),
  [`hybrid:${embedder.id}`]: fitLogistic(samples.filter((s) => s.kind === 'hybrid' && s.fold === 0), true),
};
await mkdir(reportsDir, { recursive: true });
await writeFile(join(reportsDir, 'ranking.json'), `${JSON.stringify({ embedder: embedder.id, k: K, rows }, null, 2)}\n`);
await writeFile(join(reportsDir, 'ranking.md'), rankingReport(rows));
await writeFile(join(reportsDir, 'confidence-calibration.md'), calibrationReport(models, samples));
await writeFile(
  join(repoRoot, 'src', 'retrieval', 'confidence-calibration.ts'),
  `// Written by \`npm run eval:ranking\` (eval/ranking-study.ts), one embedder per run; the reports are\n` +
    `// confidence-calibration.md in eval/reports (use-lite) and in eval/reports/models/<model> (transformers models).\n` +
    `import type { ConfidenceModel } from './confidence.js';\n\n` +
    `export const CONFIDENCE_CALIBRATION: { readonly models: Readonly<Record<string, ConfidenceModel>> } = {\n` +
    `  models: ${JSON.stringify({ ...CONFIDENCE_CALIBRATION.models, ...models }, null, 2).replace(/\n/g, '\n  ')},\n};\n`,
);

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

/** The best result's raw scores, labelled; and the same query with its relevant tools removed (never relevant). */
async function confidenceSamples(
  index: ToolIndex,
  kind: RetrieverKind,
  suite: string,
  queries: readonly EvalQuery[],
): Promise<Sample[]> {
  const retriever = index.retriever(kind, { decompose: false });
  const found: Sample[] = [];
  for (const [i, query] of queries.entries()) {
    const relevant = new Set(query.relevant);
    const fold = i % 2;
    const best = (await retriever.search(query.query, { limit: 1 }))[0];
    if (best) found.push({ suite, kind, ...signalsOf(best), relevant: relevant.has(best.id), answerable: true, fold });
    const stranger = (await retriever.search(query.query, { limit: 1, filter: (id) => !relevant.has(id) }))[0];
    if (stranger) found.push({ suite, kind, ...signalsOf(stranger), relevant: false, answerable: false, fold });
  }
  return found;
}

function signalsOf(hit: ScoredTool): { lexical: number; dense: number } {
  return { lexical: Math.log1p(hit.signals?.lexical ?? 0), dense: hit.signals?.dense ?? 0 };
}

/** Logistic regression by Newton's method (a handful of features, a few thousand samples). */
function fitLogistic(data: readonly Sample[], withDense: boolean): ConfidenceModel {
  const features = (s: Sample) => (withDense ? [1, s.lexical, s.dense] : [1, s.lexical]);
  const n = withDense ? 3 : 2;
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
  return { intercept: round(w[0]!), lexical: round(w[1]!), ...(withDense && { dense: round(w[2]!) }) };
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

function predict(model: ConfidenceModel, sample: Sample): number {
  return 1 / (1 + Math.exp(-(model.intercept + model.lexical * sample.lexical + (model.dense ?? 0) * sample.dense)));
}


function rankingReport(table: readonly SuiteRow[]): string {
  const lines = [
    '# Ranking stages: reranker and learning from use',
    '',
    `Written by \`npm run eval:ranking\` (eval/ranking-study.ts). Embedder ${embedder.id}; query decomposition as served; ` +
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

function calibrationReport(fitted: Record<string, ConfidenceModel>, all: readonly Sample[]): string {
  const sections = Object.entries(fitted).map(([key, model]) => {
    const kind = key.split(':')[0] as RetrieverKind;
    const held = all.filter((s) => s.kind === kind && s.fold === 1);
    const scored = held.map((s) => ({ s, p: predict(model, s) }));
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
      const saysNone = (group: typeof own) => percent(group.filter(({ p }) => p < GOOD_MATCH).length / Math.max(1, group.length));
      return `| ${suite ?? '**all**'} | ${answerable.length} | ${saysNone(answerable)} | ${unanswerable.length} | ${saysNone(unanswerable)} | ${rocAuc(answerable, unanswerable).toFixed(3)} |`;
    };
    return [
      `## ${key}`,
      '',
      `Model: ${JSON.stringify(model)} (features: log(1 + BM25 score)${model.dense !== undefined ? ', cosine' : ''}). ` +
        `Held-out samples: ${held.length} (${positives.length} relevant). ROC AUC ${auc.toFixed(3)}.`,
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
        'removed): how often each is told "no good match", and the ROC AUC of the best confidence between the two ' +
        '(0.5: no separation, 1: complete).',
      '',
      '| suite | in-catalog | said "no good match" % | out-of-catalog | said "no good match" % | AUC in vs out |',
      '| --- | --- | --- | --- | --- | --- |',
      ...[...new Set(held.map((s) => s.suite)), undefined].map(separation),
      '',
    ].join('\n');
  });
  return [
    '# Confidence calibration',
    '',
    `Written by \`npm run eval:ranking\` (eval/ranking-study.ts), embedder ${embedder.id}. For each query of each suite (the sample of`,
    '`ranking.md` beside this report), the best result of the bare first stage is a sample, labelled relevant or not; the same',
    'query searched with its relevant tools removed gives a second sample, never relevant (a request nothing in the',
    'catalog answers). A logistic model over the best result\'s raw scores is fitted on the even-numbered queries; the',
    'tables check it on the odd-numbered ones. search_tools and `/v1/route` report this probability and say "no good',
    `match" below ${GOOD_MATCH}. Hybrid models are fitted per embedder; with any other embedder the BM25 model is used.`,
    '',
    ...sections,
  ].join('\n');
}
