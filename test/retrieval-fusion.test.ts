import { describe, expect, it } from 'vitest';
import { DEFAULT_FUSION, fuseRankings } from '../src/retrieval/hybrid.js';
import type { ScoredTool } from '../src/retrieval/types.js';

const ranking = (...entries: Array<[string, number]>): ScoredTool[] => entries.map(([id, score]) => ({ id, score }));
// BM25 favours `a`, the dense side `b`; `c` is second on both; `d` only BM25 knows, `e` only the dense side.
const lexical = ranking(['a', 12], ['c', 8], ['d', 7], ['b', 2]);
const dense = ranking(['b', 0.9], ['c', 0.7], ['e', 0.5], ['a', 0.3]);
const ids = (tools: ScoredTool[]) => tools.map((tool) => tool.id);

describe('hybrid fusion', () => {
  for (const method of ['zscore', 'rrf'] as const) {
    it(`${method}: the weight decides which side's favourite leads, and every candidate of either side is kept`, () => {
      const lexicalHeavy = ids(fuseRankings(lexical, dense, { method, lexicalWeight: 0.9 }));
      const denseHeavy = ids(fuseRankings(lexical, dense, { method, lexicalWeight: 0.1 }));
      expect(lexicalHeavy[0]).toBe('a');
      expect(denseHeavy[0]).toBe('b');
      expect(new Set(lexicalHeavy)).toEqual(new Set(['a', 'b', 'c', 'd', 'e']));
    });

    it(`${method}: a tool ranked well by both sides beats one only a single side knows, at equal weights`, () => {
      const fused = ids(fuseRankings(lexical, dense, { method, lexicalWeight: 0.5 }));
      expect(fused.indexOf('c')).toBeLessThan(fused.indexOf('d'));
      expect(fused.indexOf('c')).toBeLessThan(fused.indexOf('e'));
    });

    it(`${method}: one empty side leaves the other side's order`, () => {
      expect(ids(fuseRankings(lexical, [], { method, lexicalWeight: 0.5 }))).toEqual(['a', 'c', 'd', 'b']);
      expect(ids(fuseRankings([], dense, { method, lexicalWeight: 0.5 }))).toEqual(['b', 'c', 'e', 'a']);
    });
  }

  it("gives every fused tool both sides' references for the confidence estimate, also a tool only one side ranked", () => {
    const fifthAtOne = ranking(['a', 12], ['c', 8], ['d', 7], ['b', 2], ['f', 1]);
    const fused = fuseRankings(fifthAtOne, dense);
    for (const tool of fused) expect(tool.signals).toMatchObject({ lexicalFifth: 1, denseMean: expect.closeTo(0.6, 9) });
    expect(fused.find(({ id }) => id === 'e')!.signals).toMatchObject({ lexical: 0, dense: 0.5 });
    expect(fused.find(({ id }) => id === 'f')!.signals).not.toHaveProperty('dense');
  });

  it('ships a measured default between the two sides', () => {
    expect(DEFAULT_FUSION.lexicalWeight).toBeGreaterThan(0);
    expect(DEFAULT_FUSION.lexicalWeight).toBeLessThan(1);
  });
});
