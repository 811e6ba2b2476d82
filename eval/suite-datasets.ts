import { dirname, join } from 'node:path';
import { EvalSetupError } from '../src/eval/input-error.js';
import { pathExists } from '../src/fs/path-exists.js';
import type { DatasetAdapter } from './adapters/adapter.js';
import { publicDatasetAdapters } from './adapters/registry.js';
import { materializeDataset, type MaterializedDataset } from './adapters/materialize.js';

/** Our own MCP catalog, written in the repo (datasets/), already in the canonical format. */
export const OWN_CATALOG = 'mcp-catalog';

export interface SuiteDatasetsOptions {
  readonly repoRoot: string;
  readonly sourceRoot: string;
  readonly cacheRoot: string;
  readonly only?: ReadonlySet<string>;
}

/** A wanted suite whose files are not there: a run without it measures less than asked. */
export interface MissingSuite {
  readonly name: string;
  readonly path: string;
}

/** What a run will evaluate, found before any conversion: cheap, so a script can refuse a run before doing work. */
export interface SuitePlan {
  readonly adapters: readonly DatasetAdapter[];
  readonly ownCatalog?: MaterializedDataset;
  readonly missing: readonly MissingSuite[];
}

function refuseUnknownNames(only: ReadonlySet<string> | undefined): void {
  const known = [...publicDatasetAdapters.map((adapter) => adapter.name), OWN_CATALOG];
  const unknown = [...(only ?? [])].filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    throw new EvalSetupError(`--only: unknown dataset ${unknown.map((name) => `'${name}'`).join(', ')} (known: ${known.join(', ')})`);
  }
}

/** A root holding no public benchmark is a wrong path, not a short run; only our own catalog does without it. */
async function refuseRootWithoutBenchmarks(sourceRoot: string): Promise<void> {
  const sources = [...new Set(publicDatasetAdapters.map((adapter) => adapter.source))];
  const found = await Promise.all(sources.map((source) => pathExists(join(sourceRoot, source))));
  if (found.some(Boolean)) return;
  throw new EvalSetupError(
    `--datasets-root ${sourceRoot} holds none of the public benchmarks (${sources.join(', ')}); ` +
      `only --only ${OWN_CATALOG} runs without them`,
  );
}

function ownCatalog(repoRoot: string): MaterializedDataset {
  const dir = join(repoRoot, 'datasets', OWN_CATALOG);
  return {
    name: OWN_CATALOG,
    catalogFile: join(dir, 'catalog.jsonl'),
    queriesFile: join(dir, 'queries.jsonl'),
    notes: ['toolscope\'s own realistic MCP catalog and labelled queries (datasets/mcp-catalog, see its README).'],
  };
}

/**
 * Which suites a run evaluates and which of the wanted ones are missing. An unknown name in `only`, a datasets root
 * holding no public benchmark (unless only our own catalog is wanted), or nothing found to evaluate is an error: a
 * run that measured nothing must not write reports as if it had.
 */
export async function planSuiteDatasets(options: Omit<SuiteDatasetsOptions, 'cacheRoot'>): Promise<SuitePlan> {
  refuseUnknownNames(options.only);
  const wanted = (name: string): boolean => options.only === undefined || options.only.has(name);
  const wantedAdapters = publicDatasetAdapters.filter((adapter) => wanted(adapter.name));
  if (wantedAdapters.length > 0) await refuseRootWithoutBenchmarks(options.sourceRoot);
  const adapters: DatasetAdapter[] = [];
  const missing: MissingSuite[] = [];
  for (const adapter of wantedAdapters) {
    const path = join(options.sourceRoot, adapter.source);
    if (await pathExists(path)) adapters.push(adapter);
    else missing.push({ name: adapter.name, path });
  }
  let found: MaterializedDataset | undefined;
  if (wanted(OWN_CATALOG)) {
    const own = ownCatalog(options.repoRoot);
    if ((await pathExists(own.catalogFile)) && (await pathExists(own.queriesFile))) found = own;
    else missing.push({ name: OWN_CATALOG, path: dirname(own.catalogFile) });
  }
  if (adapters.length === 0 && found === undefined) {
    throw new EvalSetupError(`no dataset to evaluate: none found under --datasets-root ${options.sourceRoot}`);
  }
  return { adapters, missing, ...(found !== undefined && { ownCatalog: found }) };
}

/** Each planned public benchmark converted into `cacheRoot/<name>/` (outside git), then our own catalog. */
export async function materializeSuiteDatasets(plan: SuitePlan, sourceRoot: string, cacheRoot: string): Promise<MaterializedDataset[]> {
  for (const { name, path } of plan.missing) process.stderr.write(`skipping ${name}: ${path} not found\n`);
  const prepared: MaterializedDataset[] = [];
  for (const adapter of plan.adapters) prepared.push(await materializeDataset(adapter, sourceRoot, cacheRoot));
  if (plan.ownCatalog !== undefined) prepared.push(plan.ownCatalog);
  return prepared;
}

/** Every dataset of the bundled suites, ready to evaluate (`planSuiteDatasets`, then `materializeSuiteDatasets`). */
export async function prepareSuiteDatasets(options: SuiteDatasetsOptions): Promise<MaterializedDataset[]> {
  return materializeSuiteDatasets(await planSuiteDatasets(options), options.sourceRoot, options.cacheRoot);
}
