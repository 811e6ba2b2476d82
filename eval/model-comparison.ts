/**
 * `npm run eval:models`: the embedding models side by side, from the reports `npm run eval -- --model … --reports-dir
 * eval/reports/models/<label>` wrote. Writes eval/reports/models/comparison.{md,svg}: per suite BM25, and per model
 * dense and hybrid quality, latency, index build time and memory; the chart plots mean hybrid recall@5 against p50.
 * `npm run eval:models -- --help` lists the options.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import type { EvalReport, RetrieverResult } from '../src/eval/eval-report.js';
import { markdownTable } from '../src/eval/report-markdown.js';
import { mean } from '../src/eval/metrics.js';
import { renderSvg, type Series } from './charts/svg-line-chart.js';
import { reportUsageErrorsPlainly } from './script-errors.js';
import { EvalSetupError } from '../src/eval/input-error.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
reportUsageErrorsPlainly('npm run eval:models');
const command = new Command('npm run eval:models --')
  .description('the embedding models side by side, from their suite reports; writes comparison.{md,svg} beside them')
  .option(
    '--models-dir <dir>',
    'one folder of suite reports per model (npm run eval -- --model … --reports-dir <dir>/<label>); comparison.{md,svg} go here',
    join(repoRoot, 'eval', 'reports', 'models'),
  )
  .parse();
const options = command.opts<{ modelsDir: string }>();
const modelsDirGiven = command.getOptionValueSource('modelsDir') === 'default' ? 'eval/reports/models' : options.modelsDir;
const modelsDir = resolve(options.modelsDir);
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e'];

const entries = await readdir(modelsDir, { withFileTypes: true }).catch(() => {
  throw new EvalSetupError(`--models-dir ${modelsDirGiven} is not a folder`);
});
const labels = entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
if (labels.length === 0) throw new EvalSetupError(`--models-dir ${modelsDirGiven} holds no folder of a model's reports`);
const runs = await Promise.all(
  labels.map(async (label) => {
    const files = (await readdir(join(modelsDir, label))).filter((file) => file.endsWith('.json') && !file.includes('.no-decompose') && !file.startsWith('scale-'));
    const parsed = await Promise.all(files.map(async (file) => JSON.parse(await readFile(join(modelsDir, label, file), 'utf8')) as Partial<EvalReport>));
    // A model's folder also holds its bench and ranking reports: only eval reports name a dataset and its results.
    const reports = parsed.filter((report): report is EvalReport => typeof report.dataset === 'string' && Array.isArray(report.results));
    return { label, reports: new Map(reports.map((report) => [report.dataset, report])) };
  }),
);
const datasets = [...new Set(runs.flatMap((run) => [...run.reports.keys()]))].sort();

const result = (report: EvalReport | undefined, retriever: string): RetrieverResult | undefined =>
  report?.results.find((entry) => entry.retriever === retriever);
const pct = (value: number | undefined) => (value === undefined ? '-' : (100 * value).toFixed(1));
const ms = (value: number | undefined) => (value === undefined ? '-' : value.toFixed(1));

const rows: string[][] = [];
for (const dataset of datasets) {
  const anyReport = runs.map((run) => run.reports.get(dataset)).find((report) => report !== undefined)!;
  const bm25 = result(anyReport, 'bm25')!;
  rows.push([dataset, 'BM25', `${anyReport.queryCount}`, pct(bm25.metrics['recall@1']), pct(bm25.metrics['recall@5']), pct(bm25.metrics['recall@10']), pct(bm25.metrics['ndcg@5']), pct(bm25.metrics['complete@5']), pct(bm25.metrics.mrr), ms(bm25.latencyMs.p50), ms(bm25.latencyMs.p95), '-', '-']);
  for (const run of runs) {
    const report = run.reports.get(dataset);
    for (const retriever of ['dense', 'hybrid']) {
      const entry = result(report, retriever);
      if (report === undefined || entry === undefined) continue;
      const m = entry.metrics;
      rows.push([
        dataset, `${run.label} ${retriever}`, `${report.queryCount}`, pct(m['recall@1']), pct(m['recall@5']), pct(m['recall@10']), pct(m['ndcg@5']), pct(m['complete@5']), pct(m.mrr),
        ms(entry.latencyMs.p50), ms(entry.latencyMs.p95),
        retriever === 'dense' ? `${(report.indexBuildMs / 1000).toFixed(1)} (${report.embeddedTools})` : '',
        retriever === 'dense' && report.rssMb !== undefined ? `${Math.round(report.rssMb)}` : '',
      ]);
    }
  }
}

/** Mean over the suites every run measured, so the means compare like with like. */
const common = datasets.filter((dataset) => runs.every((run) => run.reports.has(dataset)));
const means = runs.map((run, index) => {
  const over = (retriever: string, pick: (entry: RetrieverResult) => number) => mean(common.map((dataset) => pick(result(run.reports.get(dataset), retriever)!)));
  return {
    label: run.label,
    color: COLORS[index % COLORS.length]!,
    denseRecall5: over('dense', (entry) => 100 * entry.metrics['recall@5']!),
    hybridRecall5: over('hybrid', (entry) => 100 * entry.metrics['recall@5']!),
    denseP50: over('dense', (entry) => entry.latencyMs.p50),
    hybridP50: over('hybrid', (entry) => entry.latencyMs.p50),
    bm25Recall5: over('bm25', (entry) => 100 * entry.metrics['recall@5']!),
  };
});

const markdown = [
  '# Embedding models compared',
  '',
  'Each model evaluated with `npm run eval -- --model-dir models --model <id> --reports-dir eval/reports/models/<label>` ' +
    '(models built by `npm run models:offline`), query decomposition as served; per-suite reports in the subfolders. ' +
    'Metrics in percent; latency per query in ms (p50 / p95, on a shared 2-core machine under load from other jobs, ' +
    'so compare models within a column rather than against the bench); index build = embedding the whole catalog ' +
    'cold, in s (tools embedded); RSS = the evaluating process after the suite, MB.',
  '',
  markdownTable(['dataset', 'retriever', 'queries', 'R@1', 'R@5', 'R@10', 'nDCG@5', 'complete@5', 'MRR', 'p50', 'p95', 'index build s', 'RSS MB'], rows),
  '',
  `## Means over the ${common.length} suites every model ran (${common.join(', ')})`,
  '',
  markdownTable(
    ['model', 'BM25 R@5', 'dense R@5', 'hybrid R@5', 'dense p50 ms', 'hybrid p50 ms'],
    means.map((entry) => [entry.label, entry.bm25Recall5.toFixed(1), entry.denseRecall5.toFixed(1), entry.hybridRecall5.toFixed(1), entry.denseP50.toFixed(1), entry.hybridP50.toFixed(1)]),
  ),
  '',
  '![mean recall@5 against p50 latency](comparison.svg)',
  '',
].join('\n');

const maxLatency = Math.max(...means.flatMap((entry) => [entry.hybridP50, entry.denseP50])) * 1.2;
const series: Series[] = means.flatMap((entry) => [
  { label: `${entry.label} hybrid`, color: entry.color, points: [{ x: entry.hybridP50, y: entry.hybridRecall5 }] },
  { label: `${entry.label} dense`, color: entry.color, points: [{ x: entry.denseP50, y: entry.denseRecall5 }] },
]);
const svg = renderSvg(
  [
    {
      chart: {
        title: 'Mean recall@5 against p50 latency per query',
        x: { label: 'p50 ms per query', scale: 'linear', min: 0, max: maxLatency, ticks: [0, maxLatency / 4, maxLatency / 2, (3 * maxLatency) / 4, maxLatency].map((tick) => Math.round(tick)), format: (value) => `${value}` },
        y: { label: 'recall@5 %', scale: 'linear', min: 40, max: 90, ticks: [40, 50, 60, 70, 80, 90], format: (value) => `${value}` },
        series,
      },
      left: 0,
      top: 0,
      width: 640,
      height: 420,
    },
  ],
  640,
  420 + series.length * 18,
  `means over ${common.length} suites; BM25 alone: ${means[0]?.bm25Recall5.toFixed(1)} at < 1 ms`,
);
await writeFile(join(modelsDir, 'comparison.md'), markdown);
await writeFile(join(modelsDir, 'comparison.svg'), svg);
process.stderr.write(`wrote ${join(modelsDirGiven, 'comparison')}.{md,svg} (${runs.length} models, ${datasets.length} suites)\n`);
