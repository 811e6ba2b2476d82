import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import type { EvalQuery, EvalTool } from '../../src/eval/dataset-format.js';
import type { ConvertedDataset, DatasetAdapter } from './adapter.js';
import { readJsonSource, readSourceText, SourceFormatError } from './source-files.js';

/** The plugins have no parameter schemas in MetaTool: every tool takes an empty object. */
const NO_PARAMETERS = { type: 'object', properties: {} } as const;

const pluginDescriptions = z.record(z.string(), z.string());
const multiToolQueries = z.array(z.object({ query: z.string().min(1), tool: z.array(z.string().min(1)).min(1) }));
const singleToolRow = z.object({ Query: z.string().min(1), Tool: z.string().min(1) });

async function readCatalog(dir: string): Promise<EvalTool[]> {
  const descriptions = await readJsonSource(dir, 'plugin_des.json', pluginDescriptions);
  return Object.entries(descriptions).map(([name, description]) => ({
    id: name,
    name,
    description,
    inputSchema: { ...NO_PARAMETERS },
  }));
}

function requireKnown(tools: readonly EvalTool[], ids: readonly string[], where: string): void {
  const known = new Set(tools.map((tool) => tool.id));
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length > 0) throw new SourceFormatError(where, undefined, `labels not in plugin_des.json: ${unknown.join(', ')}`);
}

/**
 * Single-tool queries of all_clean_data.csv. A query text that appears on several rows becomes one query;
 * when those rows carry different tools, all of them are relevant.
 */
async function convertSingleTool(dir: string): Promise<ConvertedDataset> {
  const tools = await readCatalog(dir);
  const file = join(dir, 'all_clean_data.csv');
  const rows = parse(await readSourceText(file), { columns: true, skip_empty_lines: true }) as unknown[];
  const labels = new Map<string, Set<string>>();
  rows.forEach((raw, index) => {
    const parsed = singleToolRow.safeParse(raw);
    if (!parsed.success) throw new SourceFormatError(file, index + 2, 'expected the columns Query,Tool');
    const query = parsed.data.Query.trim();
    const set = labels.get(query) ?? new Set<string>();
    set.add(parsed.data.Tool);
    labels.set(query, set);
  });
  const queries: EvalQuery[] = [...labels].map(([query, relevant], index) => ({
    id: `single-${index}`,
    query,
    relevant: [...relevant],
  }));
  requireKnown(tools, queries.flatMap((query) => query.relevant), file);
  const multiLabel = queries.filter((query) => query.relevant.length > 1).length;
  return {
    tools,
    queries,
    notes: [
      `${rows.length} rows of all_clean_data.csv became ${queries.length} distinct queries; ` +
        `${multiLabel} of them carry two labels on different rows, and both count as relevant.`,
    ],
  };
}

async function convertMultiTool(dir: string): Promise<ConvertedDataset> {
  const tools = await readCatalog(dir);
  const records = await readJsonSource(dir, 'multi_tool_query_golden.json', multiToolQueries);
  const queries: EvalQuery[] = records.map((record, index) => ({
    id: `multi-${index}`,
    query: record.query.trim(),
    relevant: [...new Set(record.tool)],
  }));
  requireKnown(tools, queries.flatMap((query) => query.relevant), join(dir, 'multi_tool_query_golden.json'));
  return { tools, queries, notes: [] };
}

export const metatoolSingle: DatasetAdapter = {
  name: 'metatool-single',
  source: 'metatool',
  description:
    'MetaTool (ToolE) single-tool queries (all_clean_data.csv) against its 199-plugin catalog (plugin_des.json, ' +
    'name + description, no parameters). No official split: the whole set is the eval set, as in the ToolE retrieval papers.',
  convert: convertSingleTool,
};

export const metatoolMulti: DatasetAdapter = {
  name: 'metatool-multi',
  source: 'metatool',
  description:
    'MetaTool (ToolE) multi-tool queries (multi_tool_query_golden.json, 2 relevant tools each) against the same 199-plugin catalog.',
  convert: convertMultiTool,
};
