/**
 * `npm run eval:model-latency`: the cost of one search-query embedding per model, the part of routing latency a
 * model decides. Models are loaded side by side and queried in turn (round robin), so load from other processes
 * falls on all of them alike. Writes eval/reports/models/latency.md.
 */
import { writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { Command } from 'commander';
import { positiveInteger } from '../src/cli/options.js';
import { loadTransformersEmbedder } from '../src/embedding/transformers-embedder.js';
import type { TransformersDtype } from '../src/embedding/index.js';
import { loadEvalDataset } from '../src/eval/load-dataset.js';
import { markdownTable } from '../src/eval/report-markdown.js';
import { percentile } from '../src/eval/metrics.js';
import { deterministicSample } from '../src/eval/sample.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const options = new Command('npm run eval:model-latency --')
  .option('--model-dir <dir>', 'folder of offline models (npm run models:offline)', join(repoRoot, 'models'))
  .option('--models <list>', 'comma-separated model:dtype', 'Xenova/all-MiniLM-L6-v2:q8,Xenova/all-MiniLM-L6-v2:fp32,Xenova/bge-small-en-v1.5:q8,Xenova/all-mpnet-base-v2:q8,Xenova/all-mpnet-base-v2:fp32')
  .option('--queries <n>', 'mcp-catalog queries embedded by each model', positiveInteger, 200)
  .parse()
  .opts<{ modelDir: string; models: string; queries: number }>();

const catalog = join(repoRoot, 'datasets', 'mcp-catalog');
const { dataset } = await loadEvalDataset(join(catalog, 'catalog.jsonl'), join(catalog, 'queries.jsonl'), { name: 'mcp-catalog' });
const queries = deterministicSample(dataset.queries, options.queries).map((query) => query.query);

const models = [];
for (const entry of options.models.split(',')) {
  const [model, dtype] = entry.split(':') as [string, TransformersDtype];
  const rssBefore = process.memoryUsage().rss;
  const embedder = await loadTransformersEmbedder({ model, dtype, allowRemoteModels: false, modelDir: resolve(options.modelDir) });
  await embedder.embed(queries.slice(0, 5)); // warm-up
  models.push({ entry, embedder, rssMb: (process.memoryUsage().rss - rssBefore) / 2 ** 20, times: [] as number[] });
}
for (const query of queries) {
  for (const model of models) {
    const start = performance.now();
    await model.embedder.embed([query]);
    model.times.push(performance.now() - start);
  }
}
const rows = models.map((model) => [
  model.entry,
  `${model.embedder.dimensions}`,
  percentile(model.times, 50).toFixed(2),
  percentile(model.times, 95).toFixed(2),
  `${Math.round(model.rssMb)}`,
]);
const markdown = [
  '# Query embedding latency per model',
  '',
  `${queries.length} mcp-catalog queries, each embedded alone by every model in turn (round robin, one process, ` +
    `${new Date().toISOString()}), on the shared 2-core machine: absolute figures carry the load of other jobs, ` +
    'the ratios between models do not. RSS = growth of the process when the model was loaded (first query included).',
  '',
  markdownTable(['model:dtype', 'dimensions', 'p50 ms', 'p95 ms', 'RSS added MB'], rows),
  '',
].join('\n');
await writeFile(join(repoRoot, 'eval', 'reports', 'models', 'latency.md'), markdown);
process.stdout.write(markdown);
