/**
 * `npm run eval:fusion`: sweeps how hybrid merges BM25 and dense (method and lexical weight) on every suite with one
 * embedder, against the better of its two parts, and writes eval/reports/fusion-sweep.{md,json}. The index is built
 * once per suite and query vectors are kept, so each setting costs only the fusion and BM25.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { positiveInteger } from '../src/cli/options.js';
import type { Embedder } from '../src/embedding/index.js';
import { loadEvalEmbedder } from '../src/eval/eval-embedder.js';
import { toIndexableTool } from '../src/eval/run-eval.js';
import { loadEvalDataset } from '../src/eval/load-dataset.js';
import { mean, recallAtK } from '../src/eval/metrics.js';
import { embedderDescription } from '../src/eval/report-markdown.js';
import { deterministicSample } from '../src/eval/sample.js';
import { prepareStateDir } from '../src/eval/state-dir.js';
import { createLogger } from '../src/log.js';
import { fusionFor, type FusionSettings } from '../src/retrieval/hybrid.js';
import { ToolIndex, type RetrieverKind } from '../src/retrieval/tool-index.js';
import { prepareSuiteDatasets } from './suite-datasets.js';
import { narrowedOptions, refusePartialRunIntoDefaultReports } from './partial-run.js';
import { reportUsageErrorsPlainly } from './script-errors.js';
import { reportsDirAsGiven } from './reports-dir.js';
import { addLocationOptions, type LocationOptions } from './suite-options.js';

const K = 5;
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SETTINGS: FusionSettings[] = [
  ...[0.3, 0.4, 0.5, 0.6, 0.7].map((lexicalWeight) => ({ method: 'zscore' as const, lexicalWeight })),
  ...[0.3, 0.4, 0.5, 0.6, 0.7].map((lexicalWeight) => ({ method: 'rrf' as const, lexicalWeight })),
];

reportUsageErrorsPlainly('npm run eval:fusion');
const command = new Command('npm run eval:fusion --')
  .description('hybrid fusion method and weight swept on every suite; eval/reports/fusion-sweep.{md,json}')
  .option('--model <id>', 'transformers model (folder under --model-dir)', 'Xenova/all-MiniLM-L6-v2')
  .option('--model-dir <dir>', 'folder of offline models (npm run models:offline)', join(repoRoot, 'models'))
  .option('--dtype <dtype>', 'weights variant', 'q8')
  .option('--max-queries <n>', 'deterministic sample of queries per suite (as npm run eval)', positiveInteger, 500);
addLocationOptions(command, { partialRun: 'a run of another model or sample' }).parse();
const options = command.opts<LocationOptions & { model: string; modelDir: string; dtype: 'q8' | 'fp32'; maxQueries: number }>();
// The committed sweep is of the default model on the eval samples: another model or sample would replace it.
refusePartialRunIntoDefaultReports(command, narrowedOptions(command, ['model', 'dtype', 'maxQueries']), 'eval/reports/');
await prepareStateDir(options.stateDir);

/** Query vectors computed once and reused by every setting. */
function memoized(embedder: Embedder): Embedder {
  const cache = new Map<string, Float32Array>();
  return {
    ...embedder,
    async embed(texts) {
      const missing = [...new Set(texts.filter((text) => !cache.has(text)))];
      if (missing.length > 0) (await embedder.embed(missing)).forEach((vector, i) => cache.set(missing[i]!, vector));
      return texts.map((text) => cache.get(text)!);
    },
  };
}

const label = (setting: FusionSettings) => `${setting.method} ${setting.lexicalWeight.toFixed(1)}`;
const logger = createLogger(process.env.TOOLSCOPE_LOG_LEVEL ?? 'warn');
const measured = await loadEvalEmbedder(
  { model: options.model, modelDir: options.modelDir, dtype: options.dtype },
  { defaultBackend: 'transformers', hasEmbedderOption: false, logger },
);
const embedder = memoized(measured.embedder);

interface SuiteSweep {
  readonly dataset: string;
  readonly queries: number;
  readonly parts: Record<'bm25' | 'dense', number>;
  readonly hybrid: Record<string, number>;
}
const suites: SuiteSweep[] = [];
for (const dataset of await prepareSuiteDatasets({ repoRoot, sourceRoot: options.datasetsRoot, cacheRoot: join(repoRoot, '.cache', 'datasets') })) {
  const { dataset: loaded } = await loadEvalDataset(dataset.catalogFile, dataset.queriesFile, { skipBad: false, name: dataset.name });
  const queries = deterministicSample(loaded.queries, options.maxQueries);
  const index = await ToolIndex.build(loaded.tools.map(toIndexableTool), { stateDir: join(options.stateDir, dataset.name), embedder });
  const recallOf = async (kind: RetrieverKind, fusion?: FusionSettings): Promise<number> => {
    const retriever = index.retriever(kind, fusion === undefined ? {} : { fusion });
    const recalls: number[] = [];
    for (const query of queries) {
      const ranked = (await retriever.search(query.query, { limit: K })).map((tool) => tool.id);
      recalls.push(recallAtK(ranked, new Set(query.relevant), K));
    }
    return 100 * mean(recalls);
  };
  const parts = { bm25: await recallOf('bm25'), dense: await recallOf('dense') };
  const hybrid: Record<string, number> = {};
  for (const setting of SETTINGS) hybrid[label(setting)] = await recallOf('hybrid', setting);
  suites.push({ dataset: dataset.name, queries: queries.length, parts, hybrid });
  process.stderr.write(`${dataset.name}: bm25 ${parts.bm25.toFixed(1)} dense ${parts.dense.toFixed(1)} ${JSON.stringify(hybrid)}\n`);
}

/** Per setting: suites where hybrid is at or above the better part, the worst margin to it, and mean recall@5. */
const scored = SETTINGS.map((setting) => {
  const margins = suites.map((suite) => suite.hybrid[label(setting)]! - Math.max(suite.parts.bm25, suite.parts.dense));
  return {
    setting: label(setting),
    suitesAtOrAboveBest: margins.filter((margin) => margin >= -1e-9).length,
    worstMargin: Math.min(...margins),
    meanRecall5: mean(suites.map((suite) => suite.hybrid[label(setting)]!)),
  };
}).sort((a, b) => b.suitesAtOrAboveBest - a.suitesAtOrAboveBest || b.worstMargin - a.worstMargin || b.meanRecall5 - a.meanRecall5);

const reportsDir = resolve(options.reportsDir);
await mkdir(reportsDir, { recursive: true });
await writeFile(join(reportsDir, 'fusion-sweep.json'), `${JSON.stringify({ embedder: embedder.id, ...(measured.weights !== undefined && { embedderWeights: measured.weights }), k: K, suites, scored, shipped: label(fusionFor(embedder.id)) }, null, 2)}\n`);
const cell = (value: number) => value.toFixed(1);
const lines = [
  '# Hybrid fusion sweep',
  '',
  `recall@${K} in percent with ${embedderDescription(embedder.id, measured.weights)}, query decomposition as served, the same deterministic query sample as ` +
    '`npm run eval`. `zscore W`: each side\'s scores as z-scores over its 50 candidates, W lexical + (1 − W) dense; ' +
    '`rrf W`: reciprocal rank fusion (k = 60) with the same weights. Regenerate: `npm run eval:fusion`.',
  '',
  `| dataset | queries | BM25 | dense | ${SETTINGS.map(label).join(' | ')} |`,
  `| --- | --- | --- | --- | ${SETTINGS.map(() => '---').join(' | ')} |`,
  ...suites.map((suite) => {
    const best = Math.max(suite.parts.bm25, suite.parts.dense);
    const marks = SETTINGS.map((setting) => {
      const value = suite.hybrid[label(setting)]!;
      return value < best - 1e-9 ? `${cell(value)} ▾` : cell(value);
    });
    return `| ${suite.dataset} | ${suite.queries} | ${cell(suite.parts.bm25)} | ${cell(suite.parts.dense)} | ${marks.join(' | ')} |`;
  }),
  '',
  '▾: below the better of BM25 and dense on that suite.',
  '',
  '## Settings ranked',
  '',
  'By the number of suites where hybrid is at or above the better part, then the worst margin to it, then mean recall@5.',
  '',
  '| setting | suites at or above the better part | worst margin (points) | mean recall@5 |',
  '| --- | --- | --- | --- |',
  ...scored.map((row) => `| ${row.setting} | ${row.suitesAtOrAboveBest} of ${suites.length} | ${row.worstMargin.toFixed(1)} | ${row.meanRecall5.toFixed(2)} |`),
  '',
  `Shipped for this embedder (src/retrieval/hybrid.ts fusionFor): **${label(fusionFor(embedder.id))}**.`,
  '',
];
await writeFile(join(reportsDir, 'fusion-sweep.md'), lines.join('\n'));
process.stderr.write(`fusion sweep written to ${join(reportsDirAsGiven(command), 'fusion-sweep.md')}; best: ${scored[0]!.setting}\n`);
