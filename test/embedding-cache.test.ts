import { appendFile, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEmbedder, type Embedder } from '../src/embedding/index.js';
import { EmbeddingCache, embedderStateDir } from '../src/retrieval/embedding-cache.js';
import { countingEmbedder, RANDOM_MINILM, recordingLogger, tempDir } from './support/retrieval.js';

let minilm: Embedder;
let state: { path: string; remove: () => Promise<void> };

beforeAll(async () => {
  [minilm, state] = await Promise.all([loadEmbedder(RANDOM_MINILM, recordingLogger()), tempDir()]);
});
afterAll(() => state.remove());

const requests = (...texts: string[]) => texts.map((text) => ({ key: `key:${text}`, text }));

describe('EmbeddingCache', () => {
  it('persists vectors per embedder and serves them after a restart without embedding', async () => {
    const dir = embedderStateDir(state.path, minilm);
    expect(dir).toBe(join(state.path, 'embeddings', 'transformers_minilm-l6-random_fp32_r2'));
    const first = countingEmbedder(minilm);
    const cache = await EmbeddingCache.open(first, dir);
    const vectors = await cache.vectorsFor(requests('alpha', 'beta', 'alpha'));
    expect(first.texts).toBe(2);
    expect(vectors[0]).toEqual(vectors[2]);
    expect((await readdir(dir)).sort()).toEqual(['keys.txt', 'meta.json', 'vectors.f32']);
    expect((await readFile(join(dir, 'vectors.f32'))).byteLength).toBe(2 * 384 * 4);

    const second = countingEmbedder(minilm);
    const reopened = await EmbeddingCache.open(second, dir);
    expect(reopened.size).toBe(2);
    const again = await reopened.vectorsFor(requests('beta', 'gamma'));
    expect(second.texts).toBe(1);
    expect(reopened.embeddedTexts).toBe(1);
    expect(Array.from(again[0]!)).toEqual(Array.from(vectors[1]!));
  });

  it('survives a torn write: rows without a complete vector are dropped, not misread', async () => {
    const dir = join(state.path, 'torn');
    const cache = await EmbeddingCache.open(minilm, dir);
    await cache.vectorsFor(requests('one', 'two'));
    // A crash after the key of a third vector was written but only half of its bytes.
    await appendFile(join(dir, 'vectors.f32'), new Uint8Array(384 * 2));
    await appendFile(join(dir, 'keys.txt'), 'key:three\n');
    const counted = countingEmbedder(minilm);
    const reopened = await EmbeddingCache.open(counted, dir);
    expect(reopened.size).toBe(2);
    await reopened.vectorsFor(requests('one', 'two'));
    expect(counted.texts).toBe(0);
  });

  it('never serves vectors made by another model', async () => {
    const dir = join(state.path, 'shared-folder');
    await (await EmbeddingCache.open(minilm, dir)).vectorsFor(requests('alpha'));
    const useLite = countingEmbedder(await loadEmbedder({ backend: 'use-lite' }, recordingLogger()));
    const cache = await EmbeddingCache.open(useLite, dir);
    expect(cache.size).toBe(0);
    const [vector] = await cache.vectorsFor(requests('alpha'));
    expect(useLite.texts).toBe(1);
    expect(vector).toHaveLength(512);
  });

  it('never serves vectors of an earlier revision of the same model, in a shared folder or its own', async () => {
    const earlier = { ...minilm, vectorRevision: 1 };
    expect(embedderStateDir(state.path, earlier)).toBe(join(state.path, 'embeddings', 'transformers_minilm-l6-random_fp32'));
    const dir = join(state.path, 'revisions');
    const stored = await EmbeddingCache.open(earlier, dir);
    await stored.vectorsFor(requests('alpha'));
    expect((await EmbeddingCache.open(earlier, dir)).size).toBe(1);

    const current = countingEmbedder(minilm);
    const cache = await EmbeddingCache.open(current, dir);
    expect(cache.size).toBe(0);
    await cache.vectorsFor(requests('alpha'));
    expect(current.texts).toBe(1);
  });
});
