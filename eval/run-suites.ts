/**
 * `npm run eval`: converts the public benchmarks, evaluates BM25, dense and hybrid retrieval (use-lite embedder)
 * on each of them and on our own catalog, and writes eval/reports/<dataset>.{md,json,svg} plus summary.md.
 *
 * Options: --only a,b (dataset names)   --max-queries N (deterministic sample per dataset, default 500)
 *          --datasets-root DIR (default ../shared/datasets)   --state-dir DIR (embedding cache, default .cache/eval-state)
 *          --ablation: also measure the bare retrievers (no query decomposition): <dataset>.no-decompose.json
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadEmbedder } from '../src/embedding/index.js';
import type { EvalReport } from '../src/eval/eval-report.js';
import { evaluateDataset } from '../src/eval/evaluate.js';
import { renderEvalMarkdown } from '../src/eval/report-markdown.js';
import { createLogger } from '../src/log.js';
import { RETRIEVER_KINDS } from '../src/retrieval/tool-index.js';
import { datasetChartSvg } from './charts/dataset-chart.js';
import type { MaterializedDataset } from './adapters/materialize.js';
import { prepareSuiteDatasets } from './suite-datasets.js';
import { ablationSection, baselineSection, chartSection, datasetSection } from './suite-report.js';
import { renderSuiteSummary } from './suite-summary.js';

const KS = [1, 3, 5, 10];
const DEFAULT_MAX_QUERIES = 500;

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const reportsDir = join(repoRoot, 'eval', 'reports');

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    'max-queries': { type: 'string', default: String(DEFAULT_MAX_QUERIES) },
    'datasets-root': { type: 'string', default: resolve(repoRoot, '..', 'shared', 'datasets') },
    'state-dir': { type: 'string', default: join(repoRoot, '.cache', 'eval-state') },
    ablation: { type: 'boolean', default: false },
  },
});
const maxQueries = Number(values['max-queries']);
if (!Number.isInteger(maxQueries) || maxQueries < 1) throw new Error(`--max-queries: '${values['max-queries']}' is not a positive integer`);

const logger = createLogger(process.env.TOOLSCOPE_LOG_LEVEL ?? 'warn');
const started = Date.now();
const datasets = await prepareSuiteDatasets({
  repoRoot,
  sourceRoot: values['datasets-root'],
  cacheRoot: join(repoRoot, '.cache', 'datasets'),
  ...(values.only !== undefined && { only: new Set(values.only.split(',').map((name) => name.trim())) }),
});
const embedder = await loadEmbedder({ backend: 'use-lite' }, logger);
await mkdir(reportsDir, { recursive: true });

async function evaluate(dataset: MaterializedDataset, decompose: boolean): Promise<EvalReport> {
  const { report } = await evaluateDataset({
    name: dataset.name,
    catalogFile: dataset.catalogFile,
    queriesFile: dataset.queriesFile,
    retrievers: RETRIEVER_KINDS,
    ks: KS,
    embedder,
    // One state folder per dataset: it holds the dataset's persisted vector index beside the embedding cache.
    stateDir: join(values['state-dir'], dataset.name),
    decompose,
    maxQueries,
  });
  // Committed reports name their inputs relative to the repository.
  return { ...report, catalogFile: relative(repoRoot, dataset.catalogFile), queriesFile: relative(repoRoot, dataset.queriesFile) };
}

async function writeJson(file: string, value: unknown): Promise<void> {
  await writeFile(join(reportsDir, file), `${JSON.stringify(value, null, 2)}\n`);
}

const reports: EvalReport[] = [];
const ablations: EvalReport[] = [];
for (const dataset of datasets) {
  const datasetStart = Date.now();
  const report = await evaluate(dataset, true);
  reports.push(report);
  const sections = [baselineSection(report)];
  if (values.ablation) {
    const bare = await evaluate(dataset, false);
    ablations.push(bare);
    await writeJson(`${dataset.name}.no-decompose.json`, bare);
    sections.push(ablationSection(bare));
  }
  const svgFile = `${dataset.name}.svg`;
  await writeJson(`${dataset.name}.json`, report);
  await writeFile(join(reportsDir, svgFile), datasetChartSvg(report));
  await writeFile(
    join(reportsDir, `${dataset.name}.md`),
    renderEvalMarkdown(report, [...sections, datasetSection(dataset.notes), chartSection(svgFile)]),
  );
  process.stderr.write(`${dataset.name}: done in ${((Date.now() - datasetStart) / 1000).toFixed(0)} s\n`);
}
await writeFile(join(reportsDir, 'summary.md'), renderSuiteSummary(reports, ablations));
process.stderr.write(`eval suites done in ${((Date.now() - started) / 1000).toFixed(0)} s; reports in ${relative(repoRoot, reportsDir)}/\n`);
