import { basename, dirname, resolve } from 'node:path';
import { evalQuerySchema, evalToolSchema, type EvalDataset, type EvalQuery, type EvalTool } from './dataset-format.js';
import { EvalInputError, type BadLine } from './input-error.js';
import { parseJsonlFile } from './jsonl.js';

export interface LoadDatasetOptions {
  /** Skip malformed lines (and report them) instead of refusing the whole input. */
  readonly skipBad?: boolean;
  /** Defaults to the name of the catalog's folder. */
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
  const queryLines = await parseJsonlFile(queriesFile, evalQuerySchema);
  const bad: BadLine[] = [...catalog.bad, ...queryLines.bad];

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
    const unknown = value.relevant.filter((id) => !toolLine.has(id));
    if (first !== undefined) {
      bad.push({ file: queriesFile, line, problem: `id '${value.id}' is already used on line ${first}` });
    } else if (unknown.length > 0) {
      const names = unknown.map((id) => `'${id}'`).join(', ');
      bad.push({ file: queriesFile, line, problem: `relevant: ${names} not in the catalog ${catalogFile}` });
    } else {
      queryLine.set(value.id, line);
      queries.push(value);
    }
  }

  if (bad.length > 0 && !options.skipBad) throw new EvalInputError(bad);
  // With every line skipped, what was wrong with them is the answer the user needs.
  if (tools.length === 0) throw new EvalInputError([...bad, { file: catalogFile, line: 0, problem: 'no usable tool' }]);
  if (queries.length === 0) throw new EvalInputError([...bad, { file: queriesFile, line: 0, problem: 'no usable query' }]);
  const name = options.name ?? basename(dirname(resolve(catalogFile)));
  return { dataset: { name, tools, queries }, skipped: bad };
}
