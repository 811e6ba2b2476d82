/**
 * `npm run eval`: converts the public benchmarks, evaluates BM25, dense and hybrid retrieval on each of them and on
 * our own catalog, and writes <reports-dir>/<dataset>.{md,json,svg} plus summary.md. The embedder is the shipped
 * default model (from --model-dir when given, never downloaded then) unless --embedder use-lite.
 * `npm run eval -- --help` lists the options.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import type { EvalReport } from '../src/eval/eval-report.js';
import { evaluateDataset } from '../src/eval/evaluate.js';
import { renderEvalMarkdown } from '../src/eval/report-markdown.js';
import { prepareStateDir } from '../src/eval/state-dir.js';
import { createLogger } from '../src/log.js';
import { RETRIEVER_KINDS } from '../src/retrieval/tool-index.js';
import { datasetChartSvg } from './charts/dataset-chart.js';
import { loadEvalEmbedder, type EvalEmbedderOptions } from '../src/eval/eval-embedder.js';
import { addEmbedderOptions, scriptEmbedderContext } from './embedder-options.js';
import type { MaterializedDataset } from './adapters/materialize.js';
import { narrowedOptions, refusePartialRunIntoDefaultReports } from './partial-run.js';
import { materializeSuiteDatasets, planSuiteDatasets, type MissingSuite } from './suite-datasets.js';
import { ablationSection, baselineSection, chartSection, datasetSection } from './suite-report.js';
import { renderSuiteSummary } from './suite-summary.js';
import { reportUsageErrorsPlainly } from './script-errors.js';
import { reportsDirAsGiven } from './reports-dir.js';
import { addSuiteOptions, DEFAULT_REPORTS_DIR, type SuiteOptions } from './suite-options.js';

const KS = [1, 3, 5, 10];
const DEFAULT_MAX_QUERIES = 500;

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

reportUsageErrorsPlainly('npm run eval');
const command = addEmbedderOptions(new Command('npm run eval --'))
  .description('BM25, dense and hybrid retrieval on every public benchmark and our own catalog; reports in eval/reports')
  .option('--ablation', 'also measure the bare retrievers (no query decomposition): <dataset>.no-decompose.json', false);
addSuiteOptions(command, DEFAULT_MAX_QUERIES).parse();
const options = command.opts<EvalEmbedderOptions & SuiteOptions & { ablation: boolean }>();
const reportsDir = resolve(options.reportsDir);

/** Why this run measures less than the committed reports do; empty for a full run. */
function partialRunReasons(missing: readonly MissingSuite[]): string[] {
  return [
    ...narrowedOptions(command, ['only', 'maxQueries']),
    ...(missing.length > 0 ? [`${missing.map((suite) => suite.name).join(', ')} not found under --datasets-root ${options.datasetsRoot}`] : []),
  ];
}

const logger = createLogger(process.env.TOOLSCOPE_LOG_LEVEL ?? 'warn');
const started = Date.now();
const cacheRoot = join(repoRoot, '.cache', 'datasets');
const plan = await planSuiteDatasets({
  repoRoot,
  sourceRoot: options.datasetsRoot,
  ...(options.only !== undefined && { only: new Set(options.only.split(',').map((name) => name.trim())) }),
});
refusePartialRunIntoDefaultReports(command, partialRunReasons(plan.missing), `${relative(repoRoot, DEFAULT_REPORTS_DIR)}/`);
await prepareStateDir(options.stateDir);
const datasets = await materializeSuiteDatasets(plan, options.datasetsRoot, cacheRoot);
const { embedder, weights } = await loadEvalEmbedder(options, scriptEmbedderContext(logger));
await mkdir(reportsDir, { recursive: true });

async function evaluate(dataset: MaterializedDataset, decompose: boolean): Promise<EvalReport> {
  const { report } = await evaluateDataset({
    name: dataset.name,
    catalogFile: dataset.catalogFile,
    queriesFile: dataset.queriesFile,
    retrievers: RETRIEVER_KINDS,
    ks: KS,
    embedder,
    ...(weights !== undefined && { embedderWeights: weights }),
    // One state folder per dataset: it holds the dataset's persisted vector index beside the embedding cache.
    stateDir: join(options.stateDir, dataset.name),
    decompose,
    maxQueries: options.maxQueries,
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
  if (options.ablation) {
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
process.stderr.write(`eval suites done in ${((Date.now() - started) / 1000).toFixed(0)} s; reports in ${reportsDirAsGiven(command)}\n`);
