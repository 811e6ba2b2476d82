import { writeFile } from 'node:fs/promises';
import type { z } from 'zod';
import { toCatalogTool } from '../../src/catalog/catalog.js';
import type { CatalogTool } from '../../src/catalog/tool.js';
import { evalToolSchema, type EvalDataset, type EvalTool } from '../../src/eval/dataset-format.js';
import { EvalInputError } from '../../src/eval/input-error.js';
import { parseJsonlFile, toJsonl } from '../../src/eval/jsonl.js';
import { loadEvalDataset } from '../../src/eval/load-dataset.js';
import { deterministicOrder } from '../../src/eval/sample.js';
import { DEFAULT_MAX_USAGE_RECORDS } from '../../src/retrieval/usage-history.js';
import { catalogOfSize, scaleSetup } from '../scale-catalog.js';
import { OWN_CATALOG, prepareSuiteDatasets } from '../suite-datasets.js';
import { DATASET_CACHE, REPO_ROOT } from './paths.js';

/** A bench tool is served by toolscope, so it always has a server (pooling gives one to those that had none). */
const servedToolSchema = evalToolSchema.required({ server: true });
type ServedTool = z.infer<typeof servedToolSchema>;

/** The pooled eval datasets as one catalog, and real queries to route over it. */
export interface BenchCatalog {
  /** The largest catalog the run needs; each smaller one is a prefix of it. */
  readonly tools: readonly ServedTool[];
  readonly queries: readonly string[];
  /** Other queries of the pool (none of `queries`), as many as a usage history keeps: past requests for learning from use. */
  readonly pastRequests: readonly string[];
  /** Distinct tools in the pooled datasets; positions past this are copies under a second server name. */
  readonly distinctTools: number;
  readonly datasets: readonly string[];
}

export interface BenchCatalogOptions {
  /** Tools in the largest catalog. */
  readonly size: number;
  /** Queries to route. */
  readonly queries: number;
  /** The shared datasets folder holding the public benchmarks. */
  readonly datasetsRoot: string;
  /** Only these datasets (default: every one the eval has). */
  readonly only?: ReadonlySet<string>;
}

const COPY_SUFFIX = '-mirror';

/**
 * Labelled queries whose relevant tools lead the catalog (at most 50 tools, so even the 100-tool catalog holds them).
 * Fixed, not per plan: every plan then sees the same tool order, and the warm state folders serve them all.
 */
const LABELLED = { maxQueries: 200, goldBudget: 50 } as const;

/**
 * Pools the eval's datasets exactly as its scale sweep does (our MCP catalog's labelled queries and their tools first,
 * then every other benchmark's tools, identical tools once), with each server name prefixed by its dataset so names
 * never collide. When the pool is smaller than `size`, the rest are copies of pooled tools under `<server>-mirror`,
 * as when one tool is served by two servers. Queries: the labelled ones first, then the other datasets' in turn.
 */
export async function loadBenchCatalog(options: BenchCatalogOptions): Promise<BenchCatalog> {
  const prepared = await prepareSuiteDatasets({
    repoRoot: REPO_ROOT,
    sourceRoot: options.datasetsRoot,
    cacheRoot: DATASET_CACHE,
    ...(options.only && { only: options.only }),
  });
  const datasets = await Promise.all(
    prepared.map(async (entry) => (await loadEvalDataset(entry.catalogFile, entry.queriesFile, { name: entry.name })).dataset),
  );
  // prepareSuiteDatasets refuses to return none.
  const base = datasets.find((dataset) => dataset.name === OWN_CATALOG) ?? datasets[0]!;
  const others = datasets.filter((dataset) => dataset !== base);
  const setup = scaleSetup(base, others, LABELLED);
  const pooled = uniqueByExposedName(catalogOfSize(setup, Number.MAX_SAFE_INTEGER).map(withDatasetServer));
  const queries = [...setup.queries.map((query) => query.query), ...interleavedQueries(others)];
  return {
    tools: padWithCopies(pooled, options.size),
    queries: queries.slice(0, options.queries),
    pastRequests: queries.slice(options.queries, options.queries + DEFAULT_MAX_USAGE_RECORDS),
    distinctTools: pooled.length,
    datasets: datasets.map((dataset) => dataset.name),
  };
}

/** The catalog tool toolscope would hold for a bench tool. */
export function toBenchCatalogTool(tool: ServedTool): CatalogTool {
  return toCatalogTool(tool.server, {
    name: tool.name,
    ...(tool.title !== undefined && { title: tool.title }),
    description: tool.description,
    inputSchema: tool.inputSchema,
    ...(tool.annotations !== undefined && { annotations: tool.annotations }),
  });
}

export async function writeCatalogFile(file: string, tools: readonly EvalTool[]): Promise<void> {
  await writeFile(file, toJsonl(tools));
}

/** The first `size` tools of a file `writeCatalogFile` wrote. */
export async function readCatalogFile(file: string, size: number): Promise<CatalogTool[]> {
  const { records, bad } = await parseJsonlFile(file, servedToolSchema);
  if (bad.length > 0) throw new EvalInputError(bad);
  if (records.length < size) throw new Error(`${file} holds ${records.length} tools, ${size} were asked for`);
  return records.slice(0, size).map(({ value }) => toBenchCatalogTool(value));
}

/** Tool ids are `<dataset>/<id>` after pooling; servers become `<dataset>-<server>`, a valid toolscope server name. */
function withDatasetServer(tool: EvalTool): ServedTool {
  const dataset = tool.id.slice(0, tool.id.indexOf('/'));
  const server = [dataset, tool.server].filter(Boolean).join('-').replace(/[^A-Za-z0-9_-]+/g, '-').replace(/_{2,}/g, '_');
  return { ...tool, server };
}

function uniqueByExposedName(tools: readonly ServedTool[]): ServedTool[] {
  const seen = new Set<string>();
  return tools.filter((tool) => {
    const name = toBenchCatalogTool(tool).exposedName;
    if (seen.has(name)) return false;
    seen.add(name);
    return true;
  });
}

function padWithCopies(pooled: readonly ServedTool[], size: number): ServedTool[] {
  if (pooled.length >= size) return pooled.slice(0, size);
  const copies = pooled
    .slice(0, size - pooled.length)
    .map((tool) => ({ ...tool, id: `${tool.id}${COPY_SUFFIX}`, server: `${tool.server}${COPY_SUFFIX}` }));
  if (pooled.length + copies.length < size) {
    throw new Error(`the pooled datasets hold ${pooled.length} tools: too few to fill a ${size}-tool catalog with one copy each`);
  }
  return [...pooled, ...copies];
}

/** Each dataset's queries in a fixed shuffled order, taken one dataset after the other in turn. */
function interleavedQueries(datasets: readonly EvalDataset[]): string[] {
  const orders = datasets.map((dataset) => deterministicOrder(dataset.queries));
  const longest = Math.max(0, ...orders.map((order) => order.length));
  const queries: string[] = [];
  for (let i = 0; i < longest; i++) for (const order of orders) if (order[i]) queries.push(order[i]!.query);
  return queries;
}
