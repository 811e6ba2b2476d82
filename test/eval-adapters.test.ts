import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatasetAdapter } from '../eval/adapters/adapter.js';
import { bfclMultiple } from '../eval/adapters/bfcl-multiple.js';
import { gorillaHuggingFace, gorillaTensorFlowHub, gorillaTorchHub, normaliseApiCall } from '../eval/adapters/gorilla-apibench.js';
import { materializeDataset } from '../eval/adapters/materialize.js';
import { metatoolMulti, metatoolSingle } from '../eval/adapters/metatool.js';
import { sealTools } from '../eval/adapters/seal-tools.js';
import { stableToolBench } from '../eval/adapters/stabletoolbench.js';
import type { EvalDataset } from '../src/eval/dataset-format.js';
import { loadEvalDataset } from '../src/eval/load-dataset.js';
import { EvalInputError } from '../src/eval/input-error.js';

/** The public benchmarks are read in place from the shared folder; they are never copied into the repo. */
const SHARED = resolve(import.meta.dirname, '..', '..', 'shared', 'datasets');

let cache: string;
beforeAll(async () => {
  cache = await mkdtemp(join(tmpdir(), 'toolscope-eval-adapters-'));
});
afterAll(async () => {
  await rm(cache, { recursive: true, force: true });
});

/** Converts the whole benchmark and reads the result back through the canonical loader (which validates it). */
async function convert(adapter: DatasetAdapter): Promise<EvalDataset> {
  const written = await materializeDataset(adapter, SHARED, cache);
  return (await loadEvalDataset(written.catalogFile, written.queriesFile)).dataset;
}

/** The `n`th (1-based) line of a shared source file, parsed. */
async function sourceLine(file: string, n: number): Promise<any> {
  const lines = (await readFile(join(SHARED, file), 'utf8')).split('\n');
  return JSON.parse(lines[n - 1] as string);
}

const byId = <T extends { id: string }>(items: readonly T[], id: string): T => {
  const found = items.find((item) => item.id === id);
  if (!found) throw new Error(`no ${id}`);
  return found;
};

describe.skipIf(!existsSync(SHARED))('public benchmark adapters on real lines', () => {
  it('MetaTool single-tool: csv rows become queries over the 199 plugins', async () => {
    const dataset = await convert(metatoolSingle);
    const plugins = JSON.parse(await readFile(join(SHARED, 'metatool/plugin_des.json'), 'utf8')) as Record<string, string>;
    expect(dataset.tools).toHaveLength(199);
    // The plugins belong to no MCP server: none is invented for all of them (it would be the same words in every tool's text).
    expect(dataset.tools.every((tool) => tool.server === undefined)).toBe(true);
    expect(byId(dataset.tools, 'calculator')).toMatchObject({
      name: 'calculator',
      description: plugins.calculator,
      inputSchema: { type: 'object', properties: {} },
    });
    // Second line of all_clean_data.csv: "Can I find academic research papers on this topic?,ResearchHelper"
    const query = dataset.queries.find((q) => q.query === 'Can I find academic research papers on this topic?');
    expect(query?.relevant).toEqual(['ResearchHelper']);
    // A quoted CSV field with commas inside stays one query.
    const quoted = dataset.queries.find((q) => q.query.startsWith('Can you help me find recent research papers, preferably'));
    expect(quoted?.relevant).toEqual(['ResearchFinder']);
  });

  it('MetaTool multi-tool: both gold tools are relevant', async () => {
    const dataset = await convert(metatoolMulti);
    expect(dataset.queries).toHaveLength(497);
    expect(dataset.queries[0]).toEqual({
      id: 'multi-0',
      query: 'I want to know the latest news about Tesla and how it has impacted the stock market.',
      relevant: ['FinanceTool', 'NewsTool'],
    });
  });

  it('Seal-Tools: tool.jsonl parameters become a JSON Schema; both test splits are the queries', async () => {
    const dataset = await convert(sealTools);
    const raw = await sourceLine('seal-tools/tool.jsonl', 1);
    expect(byId(dataset.tools, raw.api_name)).toEqual({
      id: 'analyzeEvidence',
      server: 'Chemical Engineering/Forensic engineering',
      name: 'analyzeEvidence',
      description: 'Analyze the chemical evidence collected from a crime scene',
      inputSchema: {
        type: 'object',
        properties: {
          evidence_type: { type: 'string', description: raw.parameters.evidence_type.description },
          method: { type: 'string', description: raw.parameters.method.description },
          sample: { type: 'string', description: raw.parameters.sample.description },
        },
        required: ['evidence_type', 'method', 'sample'],
      },
    });
    expect(dataset.tools).toHaveLength(4076);
    expect(dataset.queries).toHaveLength(700 + 654);
    const inDomain = await sourceLine('seal-tools/test_in_domain.jsonl', 1);
    expect(byId(dataset.queries, inDomain.id).relevant).toEqual(['getPostmodernTheory']);
    const outDomain = await sourceLine('seal-tools/test_out_domain.jsonl', 1);
    const calls = [...new Set(outDomain.calling.map((call: { api: string }) => call.api))];
    expect(byId(dataset.queries, outDomain.id).relevant).toEqual(calls);
  });

  it('StableToolBench: the union of api_lists is the catalog; relevant APIs are (tool, api) pairs', async () => {
    const dataset = await convert(stableToolBench);
    const [first] = JSON.parse(await readFile(join(SHARED, 'stabletoolbench-solvable/test_instruction/G1_instruction.json'), 'utf8'));
    expect(dataset.tools).toHaveLength(2479);
    expect(dataset.queries).toHaveLength(765);
    expect(byId(dataset.queries, `G1_instruction-${first.query_id}`)).toEqual({
      id: `G1_instruction-${first.query_id}`,
      query: first.query.trim(),
      relevant: first['relevant APIs'].map(([tool, api]: [string, string]) => `${tool}::${api}`),
    });
    expect(byId(dataset.tools, 'TheClique::Songkick concert')).toEqual({
      id: 'TheClique::Songkick concert',
      server: 'TheClique',
      name: 'Songkick concert',
      description: 'Concert info',
      inputSchema: {
        type: 'object',
        properties: { id_conc: { type: 'string', default: '40698227-lumineers-at-aware-super-theatre' } },
        required: ['id_conc'],
      },
    });
  });

  it('BFCL multiple: pooled functions with JSON Schema types; the user turn is the query', async () => {
    const dataset = await convert(bfclMultiple);
    expect(dataset.tools).toHaveLength(1032);
    expect(dataset.tools.every((tool) => tool.server === undefined)).toBe(true);
    expect(dataset.queries).toHaveLength(200 + 1053 + 200 + 24);
    const first = await sourceLine('bfcl-multiple/BFCL_v4_multiple.json', 1);
    expect(byId(dataset.queries, 'multiple_0')).toEqual({
      id: 'multiple_0',
      query: first.question[0][0].content,
      relevant: ['triangle_properties.get'],
    });
    const triangle = byId(dataset.tools, 'triangle_properties.get').inputSchema as any;
    expect(triangle.type).toBe('object');
    expect(triangle.properties.side1.type).toBe('integer');
    expect((byId(dataset.tools, 'circle_properties.get').inputSchema as any).properties.radius.type).toBe('number');
    expect(byId(dataset.queries, 'parallel_multiple_0').relevant).toEqual([
      'math_toolkit.sum_of_multiples',
      'math_toolkit.product_of_primes',
    ]);
    // live_multiple_1-0-1 has a system prompt before the user turn: only the user's words are the query.
    const live = byId(dataset.queries, 'live_multiple_1-0-1');
    expect(live.query.startsWith('NO SUGAR in my coffee')).toBe(true);
    expect(live.query).not.toContain('You are an agent');
    expect(live.relevant).toEqual(['ChaDri.change_drink']);
  });

  it('Gorilla TorchHub: the instruction is the query, the gold api_call the relevant tool', async () => {
    const dataset = await convert(gorillaTorchHub);
    expect(dataset.tools).toHaveLength(94);
    expect(dataset.queries).toHaveLength(186);
    const gold = "torch.hub.load(repo_or_dir='facebookresearch/pytorchvideo',model='slow_r50',pretrained=True)";
    expect(dataset.queries[0]).toEqual({
      id: 'gorilla-torchhub-1',
      query: 'What is an API that can be used to classify sports activities in videos?',
      relevant: [gold],
    });
    expect(byId(dataset.tools, gold).server).toBeUndefined();
    expect(byId(dataset.tools, gold)).toMatchObject({ name: 'slow_r50', inputSchema: { properties: { pretrained: { description: 'True' } } } });
  });

  it('Gorilla TF Hub: documents sharing an api_call are one tool; an instruction without ###Output parses', async () => {
    const dataset = await convert(gorillaTensorFlowHub);
    expect(dataset.tools).toHaveLength(77);
    expect(dataset.queries).toHaveLength(688);
    // Line 516 of tensorflow_eval.json has no ###Output part.
    expect(byId(dataset.queries, 'gorilla-tfhub-516')).toEqual({
      id: 'gorilla-tfhub-516',
      query: 'Can you find the semantic similarity between two sentences for me?',
      relevant: [normaliseApiCall("hub.load('https://tfhub.dev/google/universal-sentence-encoder/4')")],
    });
  });

  it('Gorilla HuggingFace: a gold api_call missing from the API file is matched by api_name', async () => {
    const dataset = await convert(gorillaHuggingFace);
    expect(dataset.queries).toHaveLength(911);
    // Line 5: gold call has torch_dtype=torch.float16, the API file lists the same model without it.
    expect(byId(dataset.queries, 'gorilla-huggingface-5').relevant).toEqual([
      normaliseApiCall("StableDiffusionInpaintPipeline.from_pretrained('stabilityai/stable-diffusion-2-inpainting')"),
    ]);
  });
});

describe('benchmark source files that are missing or malformed', () => {
  it('are eval input errors naming the file and the problem, which the scripts print in one line', async () => {
    const root = await mkdtemp(join(tmpdir(), 'toolscope-eval-sources-'));
    try {
      const plugins = join(root, 'plugin_des.json');
      const cases: Array<[string | undefined, string]> = [
        [undefined, `${plugins}: file not found`],
        ['  \n', `${plugins}: the file is empty`],
      ];
      for (const [content, message] of cases) {
        if (content !== undefined) await writeFile(plugins, content);
        const error = await metatoolSingle.convert(root).catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(EvalInputError);
        expect((error as Error).message).toBe(message);
      }
      await writeFile(plugins, '{"a": ');
      const invalid = await metatoolSingle.convert(root).catch((caught: unknown) => caught);
      expect(invalid).toBeInstanceOf(EvalInputError);
      expect((invalid as Error).message).toMatch(new RegExp(`^${plugins}: invalid JSON \\(`));
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
