import { z } from 'zod';
import type { EvalQuery, EvalTool } from '../../src/eval/dataset-format.js';
import type { ConvertedDataset, DatasetAdapter } from './adapter.js';
import { objectSchemaFromParameters } from './parameter-list.js';
import { readJsonLinesSource, SourceFormatError } from './source-files.js';

const TEST_SPLITS = ['test_in_domain.jsonl', 'test_out_domain.jsonl'] as const;

const toolLine = z.object({
  api_name: z.string().min(1),
  api_description: z.string(),
  field: z.string().min(1),
  parameters: z.record(z.string(), z.looseObject({ type: z.string(), description: z.string().optional() })),
  required: z.array(z.string()),
});

const queryLine = z.object({
  id: z.string().min(1),
  query: z.string().min(1),
  calling: z.array(z.object({ api: z.string().min(1) })).min(1),
});

async function convert(dir: string): Promise<ConvertedDataset> {
  const toolLines = await readJsonLinesSource(dir, 'tool.jsonl', toolLine);
  const tools: EvalTool[] = toolLines.map((tool) => ({
    id: tool.api_name,
    // The tool's field of knowledge is the nearest thing Seal-Tools has to a server.
    server: tool.field,
    name: tool.api_name,
    description: tool.api_description,
    inputSchema: objectSchemaFromParameters(
      Object.entries(tool.parameters).map(([name, parameter]) => ({ name, ...parameter })),
      tool.required,
    ),
  }));
  const known = new Set(tools.map((tool) => tool.id));
  const queries: EvalQuery[] = [];
  for (const split of TEST_SPLITS) {
    for (const line of await readJsonLinesSource(dir, split, queryLine)) {
      const relevant = [...new Set(line.calling.map((call) => call.api))];
      const unknown = relevant.filter((id) => !known.has(id));
      if (unknown.length > 0) throw new SourceFormatError(split, undefined, `${line.id}: unknown api ${unknown.join(', ')}`);
      queries.push({ id: line.id, query: line.query.trim(), relevant });
    }
  }
  return { tools, queries, notes: [] };
}

export const sealTools: DatasetAdapter = {
  name: 'seal-tools',
  source: 'seal-tools',
  description:
    'Seal-Tools: the full 4,076-tool catalog (tool.jsonl; server = the tool\'s field) against both test splits ' +
    '(test_in_domain 700 + test_out_domain 654 queries); relevant = the distinct `calling[*].api` of a query.',
  convert,
};
