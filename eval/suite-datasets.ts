import { join } from 'node:path';
import { EvalSetupError } from '../src/eval/input-error.js';
import { pathExists } from '../src/fs/path-exists.js';
import { publicDatasetAdapters } from './adapters/registry.js';
import { materializeDataset, type MaterializedDataset } from './adapters/materialize.js';

/** Our own MCP catalog, written in the repo (datasets/), already in the canonical format. */
export const OWN_CATALOG = 'mcp-catalog';

/**
 * Every dataset of the bundled suites, ready to evaluate: each public benchmark converted into
 * `cacheRoot/<name>/` (outside git), then our own catalog when its files are present. An unknown name in `only`, or
 * nothing found to evaluate, is an error: a run that measured nothing must not write reports as if it had.
 */
export async function prepareSuiteDatasets(options: {
  readonly repoRoot: string;
  readonly sourceRoot: string;
  readonly cacheRoot: string;
  readonly only?: ReadonlySet<string>;
}): Promise<MaterializedDataset[]> {
  const known = [...publicDatasetAdapters.map((adapter) => adapter.name), OWN_CATALOG];
  const unknown = [...(options.only ?? [])].filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    throw new EvalSetupError(`--only: unknown dataset ${unknown.map((name) => `'${name}'`).join(', ')} (known: ${known.join(', ')})`);
  }
  const wanted = (name: string): boolean => options.only === undefined || options.only.has(name);
  const prepared: MaterializedDataset[] = [];
  for (const adapter of publicDatasetAdapters) {
    if (!wanted(adapter.name)) continue;
    if (!(await pathExists(join(options.sourceRoot, adapter.source)))) {
      process.stderr.write(`skipping ${adapter.name}: ${join(options.sourceRoot, adapter.source)} not found\n`);
      continue;
    }
    prepared.push(await materializeDataset(adapter, options.sourceRoot, options.cacheRoot));
  }
  const ownDir = join(options.repoRoot, 'datasets', OWN_CATALOG);
  const catalogFile = join(ownDir, 'catalog.jsonl');
  const queriesFile = join(ownDir, 'queries.jsonl');
  if (wanted(OWN_CATALOG) && (await pathExists(catalogFile)) && (await pathExists(queriesFile))) {
    prepared.push({
      name: OWN_CATALOG,
      catalogFile,
      queriesFile,
      notes: ['toolscope\'s own realistic MCP catalog and labelled queries (datasets/mcp-catalog, see its README).'],
    });
  }
  if (prepared.length === 0) throw new EvalSetupError(`no dataset to evaluate: none found under --datasets-root ${options.sourceRoot}`);
  return prepared;
}
