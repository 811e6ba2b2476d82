import { basename, dirname, extname, resolve } from 'node:path';
import { evalQuerySchema, evalToolSchema, type EvalDataset, type EvalQuery, type EvalTool } from './dataset-format.js';
import { EvalInputError, type BadLine } from './input-error.js';
import { parseJsonlFile, type RejectedLine } from './jsonl.js';

export interface LoadDatasetOptions {
  /** Skip malformed lines (and report them) instead of refusing the whole input. */
  readonly skipBad?: boolean;
  /** Defaults to `datasetName(catalogFile)`. */
  readonly name?: string;
}

export interface LoadedDataset {
  readonly dataset: EvalDataset;
  /** Lines left out under `skipBad`; empty otherwise. */
  readonly skipped: readonly BadLine[];
}

/**
 * Loads a canonical catalog and its queries. Besides the line format it checks that tool and query ids are
 * unique and that every relevant id names a catalog tool; each failure names its file and line.
 */
export async function loadEvalDataset(
  catalogFile: string,
  queriesFile: string,
  options: LoadDatasetOptions = {},
): Promise<LoadedDataset> {
  const catalog = await parseJsonlFile(catalogFile, evalToolSchema);
  // An empty catalog makes every query's tools unknown: that one cause is the answer, not a line per query.
  if (catalog.records.length === 0 && catalog.bad.length === 0) {
    throw new EvalInputError([{ file: catalogFile, line: 0, problem: 'no tools (the catalog is empty)' }]);
  }
  const queryLines = await parseJsonlFile(queriesFile, evalQuerySchema);
  if (queryLines.records.length === 0 && queryLines.bad.length === 0) {
    throw new EvalInputError([{ file: queriesFile, line: 0, problem: 'no queries (the file is empty)' }]);
  }
  const bad: BadLine[] = [...catalog.bad, ...queryLines.bad];
  const malformedToolLine = malformedLinesById(catalog.bad);

  const toolLine = new Map<string, number>();
  const tools: EvalTool[] = [];
  for (const { line, value } of catalog.records) {
    const first = toolLine.get(value.id);
    if (first !== undefined) {
      bad.push({ file: catalogFile, line, problem: `id '${value.id}' is already used on line ${first}` });
      continue;
    }
    toolLine.set(value.id, line);
    tools.push(value);
  }

  const queryLine = new Map<string, number>();
  const queries: EvalQuery[] = [];
  for (const { line, value } of queryLines.records) {
    const first = queryLine.get(value.id);
    const missing = missingRelevantTools(value.relevant, toolLine, malformedToolLine, catalogFile);
    if (first !== undefined) {
      bad.push({ file: queriesFile, line, problem: `id '${value.id}' is already used on line ${first}` });
    } else if (missing !== undefined) {
      bad.push({ file: queriesFile, line, problem: missing });
    } else {
      queryLine.set(value.id, line);
      queries.push(value);
    }
  }

  if (bad.length > 0 && !options.skipBad) throw new EvalInputError(bad);
  // With every line skipped, what was wrong with them is the answer the user needs.
  if (tools.length === 0) throw new EvalInputError([...bad, { file: catalogFile, line: 0, problem: 'no usable tool' }]);
  if (queries.length === 0) throw new EvalInputError([...bad, { file: queriesFile, line: 0, problem: 'no usable query' }]);
  return { dataset: { name: options.name ?? datasetName(catalogFile), tools, queries }, skipped: bad };
}

/** The canonical catalog file's name: a folder holding it is a dataset folder, named for its dataset. */
const CANONICAL_CATALOG = 'catalog.jsonl';

/**
 * The name of the dataset a catalog file holds: its folder's for a dataset folder (`<dataset>/catalog.jsonl`), else
 * the file's own (`tools.jsonl` in a folder of other things is `tools`, not that folder).
 */
export function datasetName(catalogFile: string): string {
  const path = resolve(catalogFile);
  const file = basename(path);
  return file === CANONICAL_CATALOG ? basename(dirname(path)) : basename(file, extname(file));
}

/** The ids of catalog lines that are JSON with an id but fail the schema, with their line. */
function malformedLinesById(rejected: readonly RejectedLine[]): Map<string, number> {
  const lines = new Map<string, number>();
  for (const { json, line } of rejected) {
    const id = (json as { id?: unknown } | undefined)?.id;
    if (typeof id === 'string' && !lines.has(id)) lines.set(id, line);
  }
  return lines;
}

/**
 * What is wrong with a query's relevant ids that name no usable tool, or undefined when all do. An id whose tool line
 * is malformed is not unknown: saying so points at the line to fix.
 */
function missingRelevantTools(
  relevant: readonly string[],
  toolLine: ReadonlyMap<string, number>,
  malformedToolLine: ReadonlyMap<string, number>,
  catalogFile: string,
): string | undefined {
  const absent = relevant.filter((id) => !toolLine.has(id));
  const malformed = absent.filter((id) => malformedToolLine.has(id));
  const unknown = absent.filter((id) => !malformedToolLine.has(id));
  const problems = [
    ...(unknown.length > 0 ? [`${unknown.map((id) => `'${id}'`).join(', ')} not in the catalog ${catalogFile}`] : []),
    ...malformed.map((id) => `'${id}' is on malformed line ${malformedToolLine.get(id)} of ${catalogFile}`),
  ];
  return problems.length > 0 ? `relevant: ${problems.join('; ')}` : undefined;
}
