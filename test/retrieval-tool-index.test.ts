import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Catalog } from '../src/catalog/catalog.js';
import type { CatalogTool } from '../src/catalog/tool.js';
import { loadEmbedder, type Embedder } from '../src/embedding/index.js';
import { syncToolIndex, toIndexableTool } from '../src/retrieval/catalog-sync.js';
import { RETRIEVER_KINDS, ToolIndex } from '../src/retrieval/tool-index.js';
import { countingEmbedder, realServerTools, recordingLogger, tempDir } from './support/retrieval.js';

let tools: CatalogTool[];
let useLite: Embedder;
let state: { path: string; remove: () => Promise<void> };
let index: ToolIndex;

const ids = (hits: Array<{ id: string }>) => hits.map((hit) => hit.id);

beforeAll(async () => {
  [tools, useLite, state] = await Promise.all([
    realServerTools(),
    loadEmbedder({ backend: 'use-lite' }, recordingLogger()),
    tempDir(),
  ]);
  index = await ToolIndex.build(tools.map((tool) => toIndexableTool(tool)), { embedder: useLite, stateDir: state.path });
});

afterAll(() => state.remove());

describe('ToolIndex over the real filesystem, memory and everything servers', () => {
  it('indexes every tool and embeds each once', () => {
    expect(index.size).toBe(tools.length);
    expect(index.stats()).toMatchObject({
      tools: tools.length,
      embedder: 'use-lite',
      dimensions: 512,
      embeddedTools: tools.length,
    });
  });

  it('hybrid ranks filesystem__write_file first for "write text to a file"', async () => {
    const hits = await index.retriever('hybrid').search('write text to a file', { limit: 5 });
    expect(hits[0]!.id).toBe('filesystem__write_file');
    expect(hits).toHaveLength(5);
  });

  it('restarting with an unchanged catalog embeds nothing', async () => {
    const counted = countingEmbedder(useLite);
    const restarted = await ToolIndex.build(tools.map((tool) => toIndexableTool(tool)), { embedder: counted, stateDir: state.path });
    expect(counted.texts).toBe(0);
    expect(restarted.stats().embeddedTools).toBe(0);
    const query = 'list the files in a directory';
    expect(await restarted.retriever('hybrid').search(query, { limit: 5 })).toEqual(
      await index.retriever('hybrid').search(query, { limit: 5 }),
    );
    // The query itself is embedded; tool texts are not.
    expect(counted.texts).toBe(1);
  });

  it('a new vector revision of the same model re-embeds every tool instead of serving the stored vectors', async () => {
    const revised = countingEmbedder({ ...useLite, vectorRevision: useLite.vectorRevision + 1 });
    const logger = recordingLogger();
    const restarted = await ToolIndex.build(tools.map((tool) => toIndexableTool(tool)), {
      embedder: revised,
      stateDir: state.path,
      logger: { ...logger, debug: () => undefined },
    });
    expect(revised.texts).toBe(tools.length);
    expect(restarted.stats().embeddedTools).toBe(tools.length);
    // The admin learns that the earlier revision's folder is dead weight.
    expect(logger.infos).toEqual([
      `${join(state.path, 'embeddings', 'use-lite')} holds use-lite vectors of an earlier revision, no longer read: it can be deleted`,
    ]);
  });

  it('a changed or new tool re-embeds only that tool, and a removed tool is gone', async () => {
    const counted = countingEmbedder(useLite);
    const restarted = await ToolIndex.build(tools.map((tool) => toIndexableTool(tool)), { embedder: counted, stateDir: state.path });
    const echo = toIndexableTool(tools.find((tool) => tool.exposedName === 'everything__echo')!);
    await restarted.upsert([
      { ...echo, description: 'Translates a sentence into Klingon', hash: 'changed' },
      { ...echo, id: 'everything__echo_twice', name: 'echo_twice', description: 'Echoes twice', hash: 'new' },
      ...tools.slice(0, 5).map((tool) => toIndexableTool(tool)),
    ]);
    expect(counted.texts).toBe(2);
    const klingon = await restarted.retriever('bm25').search('klingon', { limit: 3 });
    expect(ids(klingon)).toEqual(['everything__echo']);

    await restarted.remove(['everything__echo']);
    expect(restarted.size).toBe(tools.length);
    for (const kind of RETRIEVER_KINDS) {
      expect(ids(await restarted.retriever(kind).search('translate into klingon', { limit: 50 }))).not.toContain(
        'everything__echo',
      );
    }
  });

  it('applies the filter before the top-k cut in every retriever', async () => {
    // Filesystem tools fill the unfiltered top 3; `memory__read_graph` also matches "read".
    const query = 'read a file';
    const memoryOnly = (id: string) => id.startsWith('memory__');
    for (const kind of RETRIEVER_KINDS) {
      const retriever = index.retriever(kind);
      const unfiltered = await retriever.search(query, { limit: 3 });
      expect(unfiltered.some((hit) => memoryOnly(hit.id)), kind).toBe(false);
      const filtered = await retriever.search(query, { limit: 3, filter: memoryOnly });
      expect(filtered.length, kind).toBeGreaterThan(0);
      expect(filtered.every((hit) => memoryOnly(hit.id)), kind).toBe(true);
    }
  });

  it('gives each action of a multi-step request its tool', async () => {
    const query = 'read the contents of notes.txt, then create an entity for Alice in the knowledge graph';
    const hits = ids(await index.retriever('hybrid').search(query, { limit: 4 }));
    expect(hits).toContain('memory__create_entities');
    expect(hits.some((id) => /^filesystem__read_(text_)?file$/.test(id))).toBe(true);
  });

  it('gives a courtesy sentence no place, and keeps every step when no dense model was fitted for the embedder', async () => {
    const query = 'list the files in a directory. Please be quick about it.';
    for (const kind of ['bm25', 'dense', 'hybrid'] as const) {
      const hits = await index.retriever(kind).search(query, { limit: 5 });
      expect(hits.map((hit) => hit.step), kind).toEqual(hits.map(() => 1));
    }
    // The same vectors under an id no confidence model was fitted for: the dense ranking cannot be judged.
    const unfitted = { ...countingEmbedder(useLite), id: 'use-lite-unfitted' };
    const other = await ToolIndex.build(tools.map((tool) => toIndexableTool(tool)), { embedder: unfitted, stateDir: state.path });
    const hits = await other.retriever('dense').search(query, { limit: 5 });
    expect(hits.some((hit) => hit.step === 2)).toBe(true);
  });

  it('follows catalog changes incrementally', async () => {
    const catalog = new Catalog();
    const filesystem = tools.filter((tool) => tool.server === 'filesystem');
    catalog.setServerTools('filesystem', filesystem);
    const counted = countingEmbedder(useLite);
    const live = await ToolIndex.build(catalog.all().map((tool) => toIndexableTool(tool)), { embedder: counted, stateDir: state.path });
    const stop = syncToolIndex(live, catalog);
    try {
      const memory = tools.filter((tool) => tool.server === 'memory');
      catalog.setServerTools('memory', memory);
      await live.idle();
      expect(live.size).toBe(filesystem.length + memory.length);
      expect(counted.texts).toBe(0); // cached from the first build

      const renamed = { ...filesystem[0]!, description: 'Fetches weather forecasts for a city', hash: 'changed' };
      catalog.setServerTools('filesystem', [renamed, ...filesystem.slice(1)]);
      await live.idle();
      expect(counted.texts).toBe(1);
      expect(ids(await live.retriever('bm25').search('weather forecasts', { limit: 1 }))).toEqual([renamed.exposedName]);

      catalog.removeServer('memory');
      await live.idle();
      expect(live.size).toBe(filesystem.length);
      expect(live.get('memory__create_entities')).toBeUndefined();
    } finally {
      stop();
    }
  });

  it('close stops indexing after the chunk under way: nothing is written to the state folder once it settles', async () => {
    const folder = await tempDir();
    try {
      const counted = countingEmbedder(useLite);
      let embedding: () => void = () => undefined;
      const started = new Promise<void>((resolve) => (embedding = resolve));
      const closing = await ToolIndex.build([], { embedder: { ...counted, embed: (texts) => (embedding(), counted.embed(texts)) }, stateDir: folder.path });
      const many = Array.from({ length: 20 }, (_, copy) => tools.map((tool) => toIndexableTool({ ...tool, exposedName: `${tool.exposedName}_${copy}`, description: `${tool.description} (${copy})` }))).flat();
      const indexing = closing.upsert(many);
      await started;
      await closing.close();
      await indexing;
      expect(counted.texts).toBeGreaterThan(0);
      expect(counted.texts).toBeLessThan(many.length);
      const written = await folderSnapshot(folder.path);
      await closing.upsert(tools.map((tool) => toIndexableTool(tool)));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await folderSnapshot(folder.path)).toEqual(written);
    } finally {
      await folder.remove();
    }
  });

  it('without an embedder offers BM25 only and says why', async () => {
    const lexical = await ToolIndex.build(tools.map((tool) => toIndexableTool(tool)));
    expect(ids(await lexical.retriever('bm25').search('write text to a file', { limit: 1 }))).toEqual([
      'filesystem__write_file',
    ]);
    expect(() => lexical.retriever('hybrid')).toThrow(/needs an embedder/);
    expect(lexical.stats()).toMatchObject({ embedder: null, vectorSearch: 'none' });
  });
});

/** Each file under `folder` with its size and modification time: what a write would change. */
async function folderSnapshot(folder: string): Promise<Record<string, string>> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  const files = entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
  const stats = await Promise.all(files.map(async (file) => [file, await stat(file)] as const));
  return Object.fromEntries(stats.map(([file, info]) => [file, `${info.size} ${info.mtimeMs}`]));
}
