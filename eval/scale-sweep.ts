/**
 * `npm run eval:scale`: recall@5 and latency as the catalog grows from 100 to 10,000 tools. The queries (and their
 * relevant tools) stay those of one dataset; the other benchmarks' tools are pooled as distractors.
 * Writes eval/reports/scale-sweep-<dataset>.{md,json,svg} for each query dataset. `npm run eval:scale -- --help`
 * lists the options.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { positiveInteger, positiveIntegerList } from '../src/cli/options.js';
import type { EvalDataset } from '../src/eval/dataset-format.js';
import { loadEvalDataset } from '../src/eval/load-dataset.js';
import { VERSION } from '../src/version.js';
import { createProgress } from '../src/eval/progress.js';
import { embedderDescription, markdownTable, percent } from '../src/eval/report-markdown.js';
import { runEvaluation } from '../src/eval/run-eval.js';
import { prepareStateDir } from '../src/eval/state-dir.js';
import { createLogger } from '../src/log.js';
import { RETRIEVER_KINDS } from '../src/retrieval/tool-index.js';
import { loadEvalEmbedder, type EvalEmbedderOptions } from '../src/eval/eval-embedder.js';
import { addEmbedderOptions, scriptEmbedderContext } from './embedder-options.js';
import { scaleChartSvg, type ScalePoint } from './charts/scale-chart.js';
import { gorillaDocumentTools, gorillaTorchHub } from './adapters/gorilla-apibench.js';
import { catalogOfSize, measuredSizes, scaleSetup } from './scale-catalog.js';
import { OWN_CATALOG, prepareSuiteDatasets } from './suite-datasets.js';
import { narrowedOptions, refusePartialRunIntoDefaultReports } from './partial-run.js';
import { reportUsageErrorsPlainly } from './script-errors.js';
import { EvalSetupError } from '../src/eval/input-error.js';
import { reportsDirAsGiven } from './reports-dir.js';
import { addLocationOptions, type LocationOptions } from './suite-options.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
reportUsageErrorsPlainly('npm run eval:scale');
const command = addEmbedderOptions(new Command('npm run eval:scale --'))
  .description('recall@5 and latency as the catalog grows; the other benchmarks\' tools are pooled as distractors')
  .option('--queries-from <names>', 'comma-separated datasets whose queries are asked', `${OWN_CATALOG},metatool-single`)
  .option('--sizes <list>', 'comma-separated catalog sizes', positiveIntegerList, [100, 300, 1000, 3000, 10000])
  .option('--max-queries <n>', 'deterministic sample of queries per dataset', positiveInteger, 200)
  .option('--gold-budget <n>', 'relevant tools of the kept queries, at most', positiveInteger, 50);
addLocationOptions(command, { partialRun: 'a run of other sizes or queries', stateSubdir: 'scale-sweep' }).parse();
const options = command.opts<EvalEmbedderOptions & LocationOptions & { queriesFrom: string; sizes: number[]; maxQueries: number; goldBudget: number }>();
refusePartialRunIntoDefaultReports(command, narrowedOptions(command, ['queriesFrom', 'sizes', 'maxQueries', 'goldBudget']), 'eval/reports/');
const { sizes, maxQueries, goldBudget } = options;
const reportsDir = resolve(options.reportsDir);
await prepareStateDir(options.stateDir);

const prepared = await prepareSuiteDatasets({
  repoRoot,
  sourceRoot: options.datasetsRoot,
  cacheRoot: join(repoRoot, '.cache', 'datasets'),
});
const datasets = await Promise.all(
  prepared.map(async (entry) => (await loadEvalDataset(entry.catalogFile, entry.queriesFile, { name: entry.name })).dataset),
);
// The converted Gorilla datasets merge documents that share an api_call; as distractors every document counts.
const gorillaDocuments: EvalDataset = {
  name: 'gorilla-documents',
  tools: await gorillaDocumentTools(join(options.datasetsRoot, gorillaTorchHub.source)),
  queries: [],
};
const logger = createLogger(process.env.TOOLSCOPE_LOG_LEVEL ?? 'warn');
const { embedder, weights } = await loadEvalEmbedder(options, scriptEmbedderContext(logger));
await mkdir(reportsDir, { recursive: true });

/** Runs the sweep with the queries of `base` and writes eval/reports/scale-sweep-<base>.{md,json,svg}. */
async function sweep(base: EvalDataset): Promise<void> {
  const setup = scaleSetup(
    base,
    [...datasets.filter((dataset) => dataset !== base), gorillaDocuments],
    { maxQueries, goldBudget },
  );
  const available = setup.gold.length + setup.distractors.length;
  const measured = measuredSizes(setup, sizes);
  for (const { requested, measured: size } of measured.adjusted) {
    const why = requested > available ? `the pooled datasets hold ${available} distinct tools` : `every catalog holds the ${setup.gold.length} relevant tools`;
    process.stderr.write(`${base.name}: --sizes ${requested}: ${why}, so that catalog has ${size} tools\n`);
  }
  const rows: Array<{ size: number; indexBuildMs: number; embeddedTools: number; points: ScalePoint[] }> = [];
  for (const size of measured.sizes) {
    const tools = catalogOfSize(setup, size);
    const progress = createProgress(`${base.name} @ ${tools.length} tools`);
    const run = await runEvaluation(
      { name: `${base.name}@${tools.length}`, tools, queries: setup.queries },
      {
        retrievers: RETRIEVER_KINDS,
        ks: [1, 5, 10],
        embedder,
        // Sizes grow by adding tools, so one cache serves them all: each size embeds only its new tools.
        stateDir: options.stateDir,
        onProgress: (done, total) => progress.update(done, total),
      },
    );
    progress.stop();
    const points = run.results.map((result) => ({
      size: tools.length,
      retriever: result.retriever,
      recallAt5: result.metrics['recall@5'] ?? Number.NaN,
      p50Ms: result.latencyMs.p50,
      p95Ms: result.latencyMs.p95,
    }));
    rows.push({ size: tools.length, indexBuildMs: run.indexBuildMs, embeddedTools: run.embeddedTools, points });
    process.stderr.write(`${base.name} @ ${tools.length} tools: ${points.map((p) => `${p.retriever} R@5 ${percent(p.recallAt5)}`).join(', ')}\n`);
  }

  const largest = Math.max(...sizes);
  const shortfall =
    largest > available
      ? ` The pooled datasets hold ${available} distinct tools, so the largest catalog has ${available}, not ${largest}.`
      : '';
  const others = datasets.filter((d) => d !== base).map((d) => d.name).join(', ');
  const pool = `${others} and every Gorilla API document (documents sharing an api_call included)`;
  const description =
    `Queries: ${setup.queries.length} of ${base.name} (a deterministic selection whose relevant tools, ${setup.gold.length} in all, ` +
    `are in every catalog). Distractors: the rest of ${base.name} first, then the tools of ${pool}, in a fixed ` +
    `shuffled order (identical tools counted once).${shortfall} Embedder: ${embedderDescription(embedder.id, weights)}; query decomposition on ` +
    `(as served); toolscope ${VERSION}.`;
  const table = markdownTable(
    ['tools', 'retriever', 'recall@5', 'p50 ms', 'p95 ms', 'index build s (tools embedded)'],
    rows.flatMap((row) =>
      row.points.map((point) => [
        String(row.size),
        point.retriever,
        percent(point.recallAt5),
        point.p50Ms.toFixed(2),
        point.p95Ms.toFixed(2),
        `${(row.indexBuildMs / 1000).toFixed(1)} (${row.embeddedTools})`,
      ]),
    ),
  );
  const file = `scale-sweep-${base.name}`;
  await writeFile(
    join(reportsDir, `${file}.md`),
    [
      `# Scale sweep (${base.name} queries): recall@5 and latency against catalog size`,
      description,
      'Index build time includes embedding only the tools not embedded before (vectors are cached by content); ' +
        'latency is per query on this machine, including the query embedding for dense and hybrid.',
      table,
      `![recall@5 and latency against catalog size](${file}.svg)`,
      '',
    ].join('\n\n'),
  );
  await writeFile(
    join(reportsDir, `${file}.json`),
    `${JSON.stringify(
      {
        toolscopeVersion: VERSION,
        queriesFrom: base.name,
        queryCount: setup.queries.length,
        goldTools: setup.gold.length,
        availableTools: available,
        embedder: embedder.id,
        ...(weights !== undefined && { embedderWeights: weights }),
        generatedAt: new Date().toISOString(),
        sizes: rows,
      },
      null,
      2,
    )}\n`,
  );
  await writeFile(
    join(reportsDir, `${file}.svg`),
    scaleChartSvg(
      rows.flatMap((row) => row.points),
      `${setup.queries.length} ${base.name} queries; distractors from the other benchmarks; embedder ${embedder.id}`,
    ),
  );
  process.stderr.write(`written ${join(reportsDirAsGiven(command), file)}.{md,json,svg}\n`);
}

for (const name of options.queriesFrom.split(',').map((part) => part.trim())) {
  const base = datasets.find((dataset) => dataset.name === name);
  if (!base) throw new EvalSetupError(`--queries-from: no dataset '${name}' (have ${datasets.map((d) => d.name).join(', ')})`);
  await sweep(base);
}
