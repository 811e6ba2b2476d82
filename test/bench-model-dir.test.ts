import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBenchCatalog, writeCatalogFile } from '../eval/bench/bench-catalog.js';
import { builtModel, loadBenchEmbedder, STAND_IN_MODEL, stateKey } from '../eval/bench/embedders.js';
import { SHARED_ROOT } from '../eval/bench/paths.js';
import { StateCache } from '../eval/bench/state-cache.js';

/**
 * `npm run bench -- --model-dir DIR`: "transformers" runs the model folder DIR holds (in the bench process and in its
 * child processes), and its warm state folders are kept apart from the stand-in's. The folder here is the shared
 * random-weight MiniLM under another id, so no model has to be built.
 */
const TOOLS = 4;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'toolscope-bench-model-dir-'));
  await cp(join(STAND_IN_MODEL.modelDir, STAND_IN_MODEL.model), join(dir, 'models', 'org', 'tiny-minilm'), { recursive: true });
});

afterAll(() => rm(dir, { recursive: true, force: true }));

describe('bench --model-dir', () => {
  it('loads the named model from the folder in the bench process', async () => {
    const embedder = await loadBenchEmbedder('transformers', builtModel(join(dir, 'models'), 'org/tiny-minilm', 'fp32'));
    expect(embedder.id).toBe('transformers:org/tiny-minilm:fp32');
  });

  it('refuses a model the folder does not hold instead of measuring use-lite under its name', async () => {
    await expect(loadBenchEmbedder('transformers', builtModel(join(dir, 'models'), 'org/missing', 'fp32'))).rejects.toThrow(
      /transformers embedder did not load/,
    );
  });

  it('fills a warm state folder of its own through a child process running that model', async () => {
    const model = builtModel(join(dir, 'models'), 'org/tiny-minilm', 'fp32');
    expect(stateKey('transformers', model)).not.toBe(stateKey('transformers', STAND_IN_MODEL));
    expect(stateKey('use-lite', model)).toBe('use-lite');
    const catalog = await loadBenchCatalog({ size: TOOLS, queries: 1, datasetsRoot: join(SHARED_ROOT, 'datasets'), only: new Set(['mcp-catalog']) });
    const catalogFile = join(dir, 'catalog.jsonl');
    await writeCatalogFile(catalogFile, catalog.tools);
    const states = new StateCache(join(dir, 'state'), catalogFile, catalog.tools, model);
    const fills: Parameters<StateCache['fill']>[3] = [];
    await states.fill('transformers', [TOOLS], new AbortController().signal, fills);
    expect(fills).toMatchObject([{ embedder: 'transformers', size: TOOLS, status: 'filled', embeddedTools: TOOLS }]);
    expect(states.dir('transformers', TOOLS)).toContain(stateKey('transformers', model));
    const marker = JSON.parse(await readFile(join(states.dir('transformers', TOOLS), 'bench-complete.json'), 'utf8')) as { embedder: string };
    expect(marker.embedder).toBe('transformers:org/tiny-minilm:fp32');
    expect(await new StateCache(join(dir, 'state'), catalogFile, catalog.tools, STAND_IN_MODEL).isComplete('transformers', TOOLS)).toBe(false);
  }, 120_000);
});
