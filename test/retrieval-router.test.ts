import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Catalog } from '../src/catalog/catalog.js';
import type { CatalogTool } from '../src/catalog/tool.js';
import { createRouter, type Router, type RouterTool } from '../src/retrieval/router.js';
import { realServerTools, tempDir } from './support/retrieval.js';

let tools: CatalogTool[];
let state: { path: string; remove: () => Promise<void> };
let router: Router;

beforeAll(async () => {
  [tools, state] = await Promise.all([realServerTools(['filesystem', 'memory']), tempDir()]);
  router = await createRouter({ tools, embedder: { backend: 'use-lite' }, stateDir: state.path });
});
afterAll(() => state.remove());

const names = (answer: { matches: Array<{ name: string }> }) => answer.matches.map((match) => match.name);

describe('createRouter', () => {
  const query = 'write text to a file';

  it('answers as POST /v1/route does: MCP definitions by default, each match scored, and whether anything matched', async () => {
    const answer = await router.route(query);
    expect(answer.tools).toHaveLength(5);
    const writeFile = tools.find((tool) => tool.exposedName === 'filesystem__write_file')!;
    expect(answer.tools[0]).toEqual({
      name: 'filesystem__write_file',
      description: writeFile.description,
      inputSchema: writeFile.inputSchema,
      ...(writeFile.outputSchema && { outputSchema: writeFile.outputSchema }),
      ...(writeFile.annotations && { annotations: writeFile.annotations }),
      ...(writeFile.title && { title: writeFile.title }),
    });
    expect(answer.matches[0]).toMatchObject({ name: 'filesystem__write_file', server: 'filesystem', score: expect.any(Number) });
    expect(answer.matches[0]!.confidence).toBeGreaterThan(answer.matches[4]!.confidence);
    expect(answer).toMatchObject({ match: 'good', confidence: answer.matches[0]!.confidence });
  });

  it('says so when nothing matches well', async () => {
    const answer = await router.route('bake a chocolate cake for the party');
    expect(answer.match).toBe('none');
    expect(answer.confidence).toBeLessThan(0.2);
  });

  it('formats for OpenAI and Anthropic', async () => {
    const writeFile = tools.find((tool) => tool.exposedName === 'filesystem__write_file')!;
    const [openai] = (await router.route(query, { limit: 1, format: 'openai' })).tools;
    expect(openai).toEqual({
      type: 'function',
      function: { name: 'filesystem__write_file', description: writeFile.description, parameters: writeFile.inputSchema },
    });
    const [anthropic] = (await router.route(query, { limit: 1, format: 'anthropic' })).tools;
    expect(anthropic).toEqual({
      name: 'filesystem__write_file',
      description: writeFile.description,
      input_schema: writeFile.inputSchema,
    });
  });

  it('ranks only the tools the filter admits', async () => {
    const answer = await router.route(query, { limit: 3, filter: (name) => name !== 'filesystem__write_file' });
    expect(answer.tools).toHaveLength(3);
    expect(names(answer)).not.toContain('filesystem__write_file');
  });

  it('routes plain MCP tool definitions, each with its server, as server__name', async () => {
    const plain: RouterTool[] = tools.map(({ server, name, description, inputSchema }) => ({ server, name, description, inputSchema }));
    const fromPlain = await createRouter({ tools: plain, embedder: false });
    expect(fromPlain.index.stats().tools).toBe(tools.length);
    expect(names(await fromPlain.route(query, { limit: 1 }))).toEqual(['filesystem__write_file']);
  });

  it('refuses tools it cannot route, naming the tool and what is wrong', async () => {
    const tool = { server: 'mail', name: 'send_email', description: 'Sends an email', inputSchema: { type: 'object' as const } };
    const refused = (given: unknown[]) => createRouter({ tools: given as RouterTool[], embedder: false });
    await expect(refused([tool, { ...tool, server: undefined }])).rejects.toThrow(
      'createRouter: tools[1]: server: the name of the server the tool belongs to is required',
    );
    await expect(refused([{ ...tool, inputSchema: undefined }])).rejects.toThrow('createRouter: tools[0]: inputSchema: required: a JSON Schema object');
    await expect(refused([tool, tool])).rejects.toThrow('createRouter: tools[1]: "mail__send_email" is given twice');
  });

  it('refuses a bad query or option, naming it, instead of answering with nothing', async () => {
    await expect(router.route('  ')).rejects.toThrow('route: (root): `query` must describe the task');
    await expect(router.route(query, { limit: 0 })).rejects.toThrow('route: limit: `limit` must be at least 1');
    await expect(router.route(query, { limit: Number.NaN })).rejects.toThrow('route: limit: ');
    await expect(router.route(query, { format: 'OpenAI' as 'openai' })).rejects.toThrow('route: format: `format` must be one of mcp, openai, anthropic');
    await expect(router.route(query, { top: 3 } as never)).rejects.toThrow('route: (root): Unrecognized key: "top"');
  });

  it('follows a live catalog', async () => {
    const catalog = new Catalog();
    catalog.setServerTools('memory', tools.filter((tool) => tool.server === 'memory'));
    const live = await createRouter({ catalog, embedder: false });
    try {
      expect(names(await live.route(query, { limit: 1 }))).not.toContain('filesystem__write_file');
      catalog.setServerTools('filesystem', tools.filter((tool) => tool.server === 'filesystem'));
      await live.index.idle();
      expect(names(await live.route(query, { limit: 1 }))).toEqual(['filesystem__write_file']);
    } finally {
      live.close();
    }
  });

  it('needs exactly one source of tools', async () => {
    await expect(createRouter({ embedder: false })).rejects.toThrow(/exactly one of `catalog` or `tools`/);
  });
});
