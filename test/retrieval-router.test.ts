import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Catalog } from '../src/catalog/catalog.js';
import type { CatalogTool } from '../src/catalog/tool.js';
import { createRouter, type Router } from '../src/retrieval/router.js';
import { realServerTools, tempDir } from './support/retrieval.js';

let tools: CatalogTool[];
let state: { path: string; remove: () => Promise<void> };
let router: Router;

beforeAll(async () => {
  [tools, state] = await Promise.all([realServerTools(['filesystem', 'memory']), tempDir()]);
  router = await createRouter({ tools, embedder: { backend: 'use-lite' }, stateDir: state.path });
});
afterAll(() => state.remove());

describe('createRouter', () => {
  const query = 'write text to a file';

  it('returns MCP tool definitions by default', async () => {
    const found = await router.route(query);
    expect(found).toHaveLength(5);
    const writeFile = tools.find((tool) => tool.exposedName === 'filesystem__write_file')!;
    expect(found[0]).toEqual({
      name: 'filesystem__write_file',
      description: writeFile.description,
      inputSchema: writeFile.inputSchema,
      ...(writeFile.outputSchema && { outputSchema: writeFile.outputSchema }),
      ...(writeFile.annotations && { annotations: writeFile.annotations }),
      ...(writeFile.title && { title: writeFile.title }),
    });
  });

  it('formats for OpenAI and Anthropic', async () => {
    const writeFile = tools.find((tool) => tool.exposedName === 'filesystem__write_file')!;
    const [openai] = await router.route(query, { limit: 1, format: 'openai' });
    expect(openai).toEqual({
      type: 'function',
      function: { name: 'filesystem__write_file', description: writeFile.description, parameters: writeFile.inputSchema },
    });
    const [anthropic] = await router.route(query, { limit: 1, format: 'anthropic' });
    expect(anthropic).toEqual({
      name: 'filesystem__write_file',
      description: writeFile.description,
      input_schema: writeFile.inputSchema,
    });
  });

  it('ranks only the tools the filter admits', async () => {
    const found = await router.route(query, { limit: 3, filter: (name) => name !== 'filesystem__write_file' });
    expect(found).toHaveLength(3);
    expect(found.map((tool) => (tool as { name: string }).name)).not.toContain('filesystem__write_file');
  });

  it('follows a live catalog', async () => {
    const catalog = new Catalog();
    catalog.setServerTools('memory', tools.filter((tool) => tool.server === 'memory'));
    const live = await createRouter({ catalog, embedder: false });
    try {
      expect(await live.route(query, { limit: 1 })).not.toContainEqual(expect.objectContaining({ name: 'filesystem__write_file' }));
      catalog.setServerTools('filesystem', tools.filter((tool) => tool.server === 'filesystem'));
      await live.index.idle();
      expect(await live.route(query, { limit: 1 })).toEqual([expect.objectContaining({ name: 'filesystem__write_file' })]);
    } finally {
      live.close();
    }
  });

  it('needs exactly one source of tools', async () => {
    await expect(createRouter({ embedder: false })).rejects.toThrow(/exactly one of `catalog` or `tools`/);
  });
});
