import { z } from 'zod';
import type { EvalQuery, EvalTool } from '../../src/eval/dataset-format.js';
import type { ConvertedDataset, DatasetAdapter } from './adapter.js';
import { objectSchemaFromParameters } from './parameter-list.js';
import { readJsonSource, SourceFormatError } from './source-files.js';

const GROUPS = ['G1_instruction', 'G1_category', 'G1_tool', 'G2_instruction', 'G2_category', 'G3_instruction'] as const;

const parameter = z.object({
  name: z.string().min(1),
  type: z.string(),
  description: z.string().optional(),
  default: z.unknown().optional(),
});

const api = z.object({
  tool_name: z.string().min(1),
  api_name: z.string().min(1),
  api_description: z.string().nullish(),
  required_parameters: z.array(parameter),
  optional_parameters: z.array(parameter),
});

const group = z.array(
  z.object({
    query: z.string().min(1),
    query_id: z.union([z.number(), z.string()]),
    'relevant APIs': z.array(z.tuple([z.string(), z.string()])).min(1),
    api_list: z.array(api),
  }),
);

function apiId(toolName: string, apiName: string): string {
  return `${toolName}::${apiName}`;
}

async function convert(dir: string): Promise<ConvertedDataset> {
  const tools = new Map<string, EvalTool>();
  const queries: EvalQuery[] = [];
  let definitions = 0;
  for (const name of GROUPS) {
    const file = `test_instruction/${name}.json`;
    for (const item of await readJsonSource(dir, file, group)) {
      for (const entry of item.api_list) {
        definitions += 1;
        const id = apiId(entry.tool_name, entry.api_name);
        if (tools.has(id)) continue;
        const required = entry.required_parameters.map((p) => p.name);
        tools.set(id, {
          id,
          server: entry.tool_name,
          name: entry.api_name,
          description: entry.api_description ?? '',
          inputSchema: objectSchemaFromParameters([...entry.required_parameters, ...entry.optional_parameters], required),
        });
      }
      const relevant = [...new Set(item['relevant APIs'].map(([tool, apiName]) => apiId(tool, apiName)))];
      const missing = relevant.filter((id) => !tools.has(id));
      if (missing.length > 0) throw new SourceFormatError(file, undefined, `query ${item.query_id}: ${missing.join(', ')} not listed`);
      queries.push({ id: `${name}-${item.query_id}`, query: item.query.trim(), relevant });
    }
  }
  return {
    tools: [...tools.values()],
    queries,
    notes: [`The catalog is the union of every query's api_list: ${definitions} listed APIs, ${tools.size} distinct (tool, api) pairs.`],
  };
}

export const stableToolBench: DatasetAdapter = {
  name: 'stabletoolbench',
  source: 'stabletoolbench-solvable',
  description:
    'StableToolBench solvable test queries (all six groups, 765 queries) against the union of their api_lists ' +
    '(RapidAPI APIs; server = RapidAPI tool, name = API); relevant = the `relevant APIs` (tool, api) pairs.',
  convert,
};
