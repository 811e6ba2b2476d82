import { z } from 'zod';
import type { EvalQuery, EvalTool } from '../../src/eval/dataset-format.js';
import type { ConvertedDataset, DatasetAdapter } from './adapter.js';
import { normaliseSchemaTypes } from './json-schema-types.js';
import { readJsonLinesSource, SourceFormatError } from './source-files.js';

const CATEGORIES = [
  'BFCL_v4_multiple',
  'BFCL_v4_live_multiple',
  'BFCL_v4_parallel_multiple',
  'BFCL_v4_live_parallel_multiple',
] as const;


const functionDefinition = z.object({
  name: z.string().min(1),
  description: z.string().default(''),
  parameters: z.looseObject({}),
});

const question = z.object({
  id: z.string().min(1),
  question: z.array(z.array(z.object({ role: z.string(), content: z.string() }))).min(1),
  function: z.array(functionDefinition).min(1),
});

const possibleAnswer = z.object({
  id: z.string().min(1),
  ground_truth: z.array(z.record(z.string(), z.unknown())).min(1),
});

/** What the user asked, across all turns; system prompts are instructions to the model, not the request. */
function userRequest(turns: ReadonlyArray<ReadonlyArray<{ role: string; content: string }>>): string {
  return turns
    .flat()
    .filter((message) => message.role === 'user')
    .map((message) => message.content.trim())
    .join('\n');
}

async function convert(dir: string): Promise<ConvertedDataset> {
  const tools = new Map<string, EvalTool>();
  const queries: EvalQuery[] = [];
  let redefined = 0;
  for (const category of CATEGORIES) {
    const answers = new Map(
      (await readJsonLinesSource(dir, `possible_answer/${category}.json`, possibleAnswer)).map((a) => [a.id, a]),
    );
    for (const item of await readJsonLinesSource(dir, `${category}.json`, question)) {
      for (const fn of item.function) {
        if (tools.has(fn.name)) {
          redefined += 1;
          continue;
        }
        const parameters = normaliseSchemaTypes(fn.parameters) as Record<string, unknown>;
        tools.set(fn.name, {
          id: fn.name,
          name: fn.name,
          description: fn.description,
          inputSchema: { ...parameters, type: 'object' },
        });
      }
      const answer = answers.get(item.id);
      if (!answer) throw new SourceFormatError(`possible_answer/${category}.json`, undefined, `no answer for ${item.id}`);
      const relevant = [...new Set(answer.ground_truth.flatMap((call) => Object.keys(call)))];
      const offered = new Set(item.function.map((fn) => fn.name));
      const missing = relevant.filter((name) => !offered.has(name));
      if (missing.length > 0) throw new SourceFormatError(`${category}.json`, undefined, `${item.id}: ${missing.join(', ')} not offered`);
      const query = userRequest(item.question);
      if (query === '') throw new SourceFormatError(`${category}.json`, undefined, `${item.id}: no user message`);
      queries.push({ id: item.id, query, relevant });
    }
  }
  return {
    tools: [...tools.values()],
    queries,
    notes: [
      `All candidate functions of the four categories pooled into one catalog of ${tools.size} distinct names; ` +
        `a name offered again (${redefined} times, sometimes with small wording changes) keeps its first definition.`,
    ],
  };
}

export const bfclMultiple: DatasetAdapter = {
  name: 'bfcl-multiple',
  source: 'bfcl-multiple',
  description:
    'BFCL v4 multiple, live_multiple, parallel_multiple and live_parallel_multiple: every query\'s candidate functions ' +
    'pooled into one catalog; the query is the user turn(s); relevant = the function names in possible_answer.',
  convert,
};
