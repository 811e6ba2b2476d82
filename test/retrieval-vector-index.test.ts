import { readdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { normalizeInPlace } from '../src/embedding/normalize.js';
import { GRAPH_FORMAT, VectorIndex } from '../src/retrieval/vector-index.js';
import { tempDir } from './support/retrieval.js';

const DIMENSIONS = 32;

/** Deterministic unit vectors: the same seed always gives the same vector. */
function vector(seed: number): Float32Array {
  let state = seed * 2654435761;
  return normalizeInPlace(
    Float32Array.from({ length: DIMENSIONS }, () => {
      state = (state * 1664525 + 1013904223) >>> 0;
      return state / 2 ** 32 - 0.5;
    }),
  );
}

async function filledIndex(size: number, options: { exactSearchBelow: number; dir?: string }): Promise<VectorIndex> {
  const index = await VectorIndex.open({ dimensions: DIMENSIONS, ...options });
  for (let i = 0; i < size; i++) index.upsert(`t${i}`, `k${i}`, vector(i));
  await index.commit();
  return index;
}

/** Which save the folder holds: every save writes the labels file anew (it names the graph file it belongs to). */
async function savedGraph(dir: string): Promise<bigint> {
  return (await stat(join(dir, 'hnsw-labels.json'), { bigint: true })).mtimeNs;
}

describe('VectorIndex', () => {
  it('answers exactly below the threshold and from the HNSW graph above it, with the same neighbours', async () => {
    const exact = await filledIndex(300, { exactSearchBelow: Number.POSITIVE_INFINITY });
    const graph = await filledIndex(300, { exactSearchBelow: 10 });
    expect(exact.mode).toBe('exact');
    expect(graph.mode).toBe('hnsw');
    for (let q = 1000; q < 1020; q++) {
      const expected = exact.search(vector(q), 5);
      const found = graph.search(vector(q), 5);
      expect(found.map((hit) => hit.id)).toEqual(expected.map((hit) => hit.id));
      found.forEach((hit, i) => expect(hit.score).toBeCloseTo(expected[i]!.score, 5));
    }
    // A stored vector is its own nearest neighbour with cosine 1.
    expect(graph.search(vector(42), 1)).toEqual([{ id: 't42', score: expect.closeTo(1, 5) }]);
  });

  it('applies the filter before the top-k cut in both modes', async () => {
    for (const exactSearchBelow of [Number.POSITIVE_INFINITY, 10]) {
      const index = await filledIndex(300, { exactSearchBelow });
      const even = (id: string) => Number(id.slice(1)) % 2 === 0;
      const hits = index.search(vector(7), 5, even);
      expect(hits).toHaveLength(5);
      expect(hits.every((hit) => even(hit.id))).toBe(true);
      // t7 itself is odd: the best admitted tools are found, not an empty slice of an unfiltered top 5.
      expect(hits[0]!.id).not.toBe('t7');
      // Only two tools admitted: a selective filter still returns both.
      const pair = index.search(vector(7), 5, (id) => id === 't3' || id === 't250');
      expect(pair.map((hit) => hit.id).sort()).toEqual(['t250', 't3']);
    }
  });

  it('asks a filter that admits most tools about a few of them to choose the graph, not about every tool', async () => {
    const index = await filledIndex(3000, { exactSearchBelow: 100 });
    const asked = new Set<string>();
    const allButOne = (id: string) => {
      asked.add(id);
      return id !== 't5';
    };
    const hits = index.search(vector(5), 5, allButOne);
    expect(hits.map((hit) => hit.id)).not.toContain('t5');
    expect(hits.map((hit) => hit.id)).toEqual(
      index.search(vector(5), 6).map((hit) => hit.id).filter((id) => id !== 't5').slice(0, 5),
    );
    // The policy's filter costs a lookup per tool asked: choosing the graph must not ask it about all 3,000.
    expect(asked.size).toBeLessThan(500);
  });

  it('updates, removes and grows incrementally', async () => {
    const index = await filledIndex(120, { exactSearchBelow: 10 });
    index.upsert('t5', 'changed', vector(9999));
    index.remove('t6');
    for (let i = 120; i < 400; i++) index.upsert(`t${i}`, `k${i}`, vector(i));
    await index.commit();
    expect(index.size).toBe(399);
    expect(index.keyOf('t5')).toBe('changed');
    expect(index.keyOf('t6')).toBeUndefined();
    expect(index.search(vector(9999), 1)[0]!.id).toBe('t5');
    expect(index.search(vector(6), 20).map((hit) => hit.id)).not.toContain('t6');
    expect(index.search(vector(399), 1)[0]!.id).toBe('t399');
  });

  it('persists the graph and reads it back on the next open', async () => {
    const dir = await tempDir();
    try {
      const first = await filledIndex(200, { exactSearchBelow: 10, dir: dir.path });
      expect((await readdir(dir.path)).sort()).toEqual([expect.stringMatching(/^hnsw-[0-9a-f]+\.bin$/), 'hnsw-labels.json']);
      const before = first.search(vector(5000), 10);
      const written = await savedGraph(dir.path);

      // Same vectors again: the stored graph already holds them, so nothing is rebuilt or rewritten.
      const reopened = await filledIndex(200, { exactSearchBelow: 10, dir: dir.path });
      expect(await savedGraph(dir.path)).toBe(written);
      expect(reopened.mode).toBe('hnsw');
      expect(reopened.search(vector(5000), 10)).toEqual(before);

      reopened.upsert('t3', 'changed', vector(7777));
      reopened.remove('t4');
      await reopened.commit();
      expect(await savedGraph(dir.path)).not.toBe(written);
      // The superseded graph file is gone: the folder holds the new graph and its labels only.
      expect(await readdir(dir.path)).toHaveLength(2);
      expect(reopened.search(vector(7777), 1)[0]!.id).toBe('t3');
      expect(reopened.search(vector(4), 50).map((hit) => hit.id)).not.toContain('t4');
    } finally {
      await dir.remove();
    }
  });

  it('after a restart, finds a stored tool only once it is indexed again, and revives its point instead of inserting it', async () => {
    const dir = await tempDir();
    try {
      const first = await filledIndex(200, { exactSearchBelow: 10, dir: dir.path });
      const before = first.search(vector(5000), 10);
      const written = await savedGraph(dir.path);

      // Servers report their tools one by one: half of them first.
      const reopened = await VectorIndex.open({ dimensions: DIMENSIONS, exactSearchBelow: 10, dir: dir.path });
      for (let i = 0; i < 100; i++) reopened.upsert(`t${i}`, `k${i}`, vector(i));
      await reopened.commit();
      expect(reopened.search(vector(150), 1)[0]!.id).not.toBe('t150');
      expect(reopened.search(vector(150), 200).map((hit) => Number(hit.id.slice(1)))).toSatisfy((ids: number[]) => ids.every((id) => id < 100));

      for (let i = 100; i < 200; i++) reopened.upsert(`t${i}`, `k${i}`, vector(i));
      await reopened.commit();
      // Every point was revived: no insertion, so the stored graph is still the one on disk.
      expect(await savedGraph(dir.path)).toBe(written);
      expect(reopened.search(vector(5000), 10)).toEqual(before);
      expect(reopened.search(vector(150), 1)[0]!.id).toBe('t150');
    } finally {
      await dir.remove();
    }
  });

  it('links tools that arrive during a warm start to the whole graph, not only to the part already revived', async () => {
    const dir = await tempDir();
    try {
      await filledIndex(2_000, { exactSearchBelow: 10, dir: dir.path });
      const restarted = await VectorIndex.open({ dimensions: DIMENSIONS, exactSearchBelow: 10, dir: dir.path });
      // The first server to reconnect brings 20 known tools and 50 new ones; the other servers' 1,980 come later.
      for (let i = 0; i < 20; i++) restarted.upsert(`t${i}`, `k${i}`, vector(i));
      for (let i = 0; i < 50; i++) restarted.upsert(`new${i}`, `n${i}`, vector(100_000 + i));
      await restarted.commit();
      for (let i = 20; i < 2_000; i++) restarted.upsert(`t${i}`, `k${i}`, vector(i));
      await restarted.commit();
      expect(restarted.mode).toBe('hnsw');
      const found = Array.from({ length: 50 }, (_, i) => restarted.search(vector(100_000 + i), 1)[0]?.id);
      expect(found).toEqual(Array.from({ length: 50 }, (_, i) => `new${i}`));
    } finally {
      await dir.remove();
    }
  });

  it('rebuilds, once, a graph written in an older format', async () => {
    const dir = await tempDir();
    try {
      const labelsFile = join(dir.path, 'hnsw-labels.json');
      await filledIndex(200, { exactSearchBelow: 10, dir: dir.path });
      const { format, ...olderLabels } = JSON.parse(await readFile(labelsFile, 'utf8')) as { format: number };
      expect(format).toBe(GRAPH_FORMAT);
      await writeFile(labelsFile, JSON.stringify(olderLabels));
      const written = await savedGraph(dir.path);

      const reopen = () => filledIndex(200, { exactSearchBelow: 10, dir: dir.path });
      const rebuilt = await reopen();
      const rewritten = await savedGraph(dir.path);
      expect(rewritten).not.toBe(written);
      expect(JSON.parse(await readFile(labelsFile, 'utf8'))).toMatchObject({ format: GRAPH_FORMAT });
      expect(rebuilt.search(vector(42), 1)[0]!.id).toBe('t42');
      await reopen();
      expect(await savedGraph(dir.path)).toBe(rewritten);
    } finally {
      await dir.remove();
    }
  });

  it('revives a removed tool that comes back unchanged, across a restart too', async () => {
    const dir = await tempDir();
    try {
      const index = await filledIndex(150, { exactSearchBelow: 10, dir: dir.path });
      index.remove('t7');
      await index.commit();
      expect(index.search(vector(7), 150).map((hit) => hit.id)).not.toContain('t7');
      const parkedWritten = await savedGraph(dir.path);

      const reopened = await VectorIndex.open({ dimensions: DIMENSIONS, exactSearchBelow: 10, dir: dir.path });
      for (let i = 0; i < 150; i++) if (i !== 7) reopened.upsert(`t${i}`, `k${i}`, vector(i));
      await reopened.commit();
      expect(await savedGraph(dir.path)).toBe(parkedWritten);
      reopened.upsert('t7', 'k7', vector(7));
      await reopened.commit();
      expect(reopened.search(vector(7), 1)[0]!.id).toBe('t7');
    } finally {
      await dir.remove();
    }
  });

  it('survives two writers saving different graphs into one folder at once, and pairs the graph left with its own labels', async () => {
    const dir = await tempDir();
    try {
      for (let round = 0; round < 3; round++) {
        const folder = join(dir.path, `round${round}`);
        // Same ids, different vectors and keys: labels of one save over the graph of the other would find wrong tools.
        const fill = async (offset: number) => {
          const index = await VectorIndex.open({ dimensions: DIMENSIONS, exactSearchBelow: 10, dir: folder });
          for (let i = 0; i < 300; i++) index.upsert(`t${i}`, `k${offset + i}`, vector(offset + i));
          return index;
        };
        const writers = await Promise.all([fill(0), fill(100_000)]);
        await Promise.all(writers.map((writer) => writer.commit()));
        const { entries } = JSON.parse(await readFile(join(folder, 'hnsw-labels.json'), 'utf8')) as { entries: [number, string, string][] };
        const offset = Number(entries[0]![2].slice(1)) < 100_000 ? 0 : 100_000;
        const saved = await savedGraph(folder);
        const reader = await fill(offset);
        await reader.commit();
        // Every point revived from the saved graph (nothing inserted, nothing saved again), each found by its vector.
        expect(await savedGraph(folder)).toBe(saved);
        for (const i of [0, 123, 299]) expect(reader.search(vector(offset + i), 1)[0]!.id).toBe(`t${i}`);
        // No temporary file left behind; the losing save's graph waits to be removed as abandoned.
        expect(await readdir(folder)).toSatisfy((names: string[]) => names.every((name) => /^hnsw-([0-9a-f]+\.bin|labels\.json)$/.test(name)));
      }
    } finally {
      await dir.remove();
    }
  });

  it('removes graph files no save names once they are old, and leaves recent ones to the save that may still name them', async () => {
    const dir = await tempDir();
    try {
      const longAgo = new Date(Date.now() - 3_600_000);
      for (const stray of ['hnsw.bin', 'hnsw-0123456789ab.bin', 'hnsw-ba9876543210.bin']) await writeFile(join(dir.path, stray), 'graph');
      for (const old of ['hnsw.bin', 'hnsw-0123456789ab.bin']) await utimes(join(dir.path, old), longAgo, longAgo);
      await filledIndex(200, { exactSearchBelow: 10, dir: dir.path });
      const left = await readdir(dir.path);
      expect(left).toHaveLength(3);
      expect(left).toContain('hnsw-ba9876543210.bin');
    } finally {
      await dir.remove();
    }
  });

  it('answers exactly after a removal moved the last tool into the freed row', async () => {
    const index = await filledIndex(20, { exactSearchBelow: 100 });
    index.remove('t3');
    expect(index.mode).toBe('exact');
    const [best] = index.search(vector(19), 1);
    expect(best!.id).toBe('t19');
    expect(best!.score).toBeCloseTo(1, 5);
    expect(index.search(vector(3), 20).map((hit) => hit.id)).not.toContain('t3');
    expect(index.size).toBe(19);
  });

  it('refuses a vector of the wrong length', async () => {
    const index = await VectorIndex.open({ dimensions: DIMENSIONS });
    expect(() => index.upsert('x', 'k', new Float32Array(3))).toThrow(/3 dimensions, the index has 32/);
  });
});
