import { z } from 'zod';
import type { EvalQuery, EvalTool } from '../../src/eval/dataset-format.js';
import type { ConvertedDataset, DatasetAdapter } from './adapter.js';
import { readJsonLinesSource, SourceFormatError } from './source-files.js';

interface Hub {
  readonly name: string;
  readonly title: string;
  readonly apiFile: string;
  readonly evalFile: string;
}

const apiDocument = z.looseObject({
  domain: z.string(),
  // One HuggingFace document lists several functionalities.
  functionality: z.union([z.string(), z.array(z.string()).transform((items) => items.join(', '))]),
  api_name: z.string().min(1),
  api_call: z.string().min(1),
  api_arguments: z.unknown(),
  description: z.string(),
});

const evalItem = z.object({
  code: z.string(),
  api_call: z.string().min(1),
  api_data: z.looseObject({ api_name: z.string() }),
});

type ApiDocument = z.infer<typeof apiDocument>;

/** Gorilla scores by exact match of the normalised api_call: whitespace-free, one quote style. */
export function normaliseApiCall(call: string): string {
  return call.replace(/\s+/g, '').replace(/"/g, "'");
}

/** The request is the `###Instruction:` part of `code`; the `###Output:` answer after it is missing on a few lines. */
const INSTRUCTION = /^###\s*Instruction:\s*([\s\S]*?)(?:\n\s*###\s*Output:|$)/;

/** api_arguments is a dict, a list of names or free text; only the first two name parameters. */
function argumentSchema(args: unknown): { type: 'object'; properties: Record<string, unknown> } {
  const properties: Record<string, unknown> = {};
  if (Array.isArray(args)) {
    for (const name of args) if (typeof name === 'string' && name !== '') properties[name] = {};
  } else if (args !== null && typeof args === 'object') {
    for (const [name, value] of Object.entries(args)) properties[name] = { description: typeof value === 'string' ? value : JSON.stringify(value) };
  }
  return { type: 'object', properties };
}

function toTool(hub: Hub, doc: ApiDocument): EvalTool {
  return {
    id: normaliseApiCall(doc.api_call),
    name: doc.api_name,
    description: `${doc.description} Domain: ${doc.domain}. Functionality: ${doc.functionality}. API call: ${doc.api_call}`,
    inputSchema: argumentSchema(doc.api_arguments),
  };
}

/**
 * One tool per distinct api_call: documents that share one (TF Hub lists the same hub.load URL up to 220 times)
 * are the same call to a router, and Gorilla's own metric cannot tell them apart either. The first document wins.
 */
async function convertHub(hub: Hub, dir: string): Promise<ConvertedDataset> {
  const docs = await readJsonLinesSource(dir, hub.apiFile, apiDocument);
  const tools = new Map<string, EvalTool>();
  const byApiName = new Map<string, string>();
  for (const doc of docs) {
    const tool = toTool(hub, doc);
    if (!tools.has(tool.id)) tools.set(tool.id, tool);
    if (!byApiName.has(doc.api_name)) byApiName.set(doc.api_name, tool.id);
  }
  const queries: EvalQuery[] = [];
  let byName = 0;
  let unresolved = 0;
  (await readJsonLinesSource(dir, hub.evalFile, evalItem)).forEach((item, index) => {
    const instruction = INSTRUCTION.exec(item.code)?.[1]?.trim();
    if (!instruction) throw new SourceFormatError(hub.evalFile, index + 1, 'no ###Instruction: in code');
    let gold = normaliseApiCall(item.api_call);
    if (!tools.has(gold)) {
      const named = byApiName.get(item.api_data.api_name);
      if (named === undefined) {
        unresolved += 1;
        return;
      }
      gold = named;
      byName += 1;
    }
    queries.push({ id: `${hub.name}-${index + 1}`, query: instruction, relevant: [gold] });
  });
  const notes = [`${docs.length} API documents, ${tools.size} distinct api_calls (one tool each).`];
  if (byName > 0) notes.push(`${byName} queries' api_call is not in the API file; their gold is matched by api_name instead.`);
  if (unresolved > 0) notes.push(`${unresolved} queries dropped: their gold API is not in the API file at all.`);
  return { tools: [...tools.values()], queries, notes };
}

function gorillaAdapter(hub: Hub): DatasetAdapter {
  return {
    name: hub.name,
    source: 'gorilla-apibench',
    description:
      `Gorilla APIBench ${hub.title}: the API documents of ${hub.apiFile} (one tool per distinct api_call) against the ` +
      `instructions of ${hub.evalFile}; relevant = the gold api_call (one per query).`,
    convert: (dir) => convertHub(hub, dir),
  };
}

const TORCH_HUB: Hub = {
  name: 'gorilla-torchhub',
  title: 'TorchHub',
  apiFile: 'api/torchhub_api.jsonl',
  evalFile: 'apibench/torchhub_eval.json',
};
const TENSORFLOW_HUB: Hub = {
  name: 'gorilla-tfhub',
  title: 'TensorFlow Hub',
  apiFile: 'api/tensorflowhub_api.jsonl',
  evalFile: 'apibench/tensorflow_eval.json',
};
const HUGGING_FACE: Hub = {
  name: 'gorilla-huggingface',
  title: 'HuggingFace',
  apiFile: 'api/huggingface_api.jsonl',
  evalFile: 'apibench/huggingface_eval.json',
};
const HUBS = [TORCH_HUB, TENSORFLOW_HUB, HUGGING_FACE];

export const gorillaTorchHub = gorillaAdapter(TORCH_HUB);
export const gorillaTensorFlowHub = gorillaAdapter(TENSORFLOW_HUB);
export const gorillaHuggingFace = gorillaAdapter(HUGGING_FACE);

/**
 * Every API document of the three hubs as a tool of its own, without merging shared api_calls: the scale sweep
 * draws distractors from them (documents with the same api_call still differ in their text).
 */
export async function gorillaDocumentTools(dir: string): Promise<EvalTool[]> {
  const tools: EvalTool[] = [];
  for (const hub of HUBS) {
    const docs = await readJsonLinesSource(dir, hub.apiFile, apiDocument);
    docs.forEach((doc, index) => tools.push({ ...toTool(hub, doc), id: `${hub.name}-document-${index + 1}` }));
  }
  return tools;
}
