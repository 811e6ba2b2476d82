import { describe, expect, it } from 'vitest';
import { completeAtK, mean, ndcgAtK, percentile, recallAtK, reciprocalRank } from '../src/eval/metrics.js';

const ranked = ['a', 'b', 'c', 'd', 'e'];

describe('recall@k', () => {
  it('is the fraction of relevant tools within the top k', () => {
    const relevant = new Set(['b', 'e', 'x']);
    expect(recallAtK(ranked, relevant, 1)).toBe(0);
    expect(recallAtK(ranked, relevant, 2)).toBeCloseTo(1 / 3, 10);
    expect(recallAtK(ranked, relevant, 5)).toBeCloseTo(2 / 3, 10);
    expect(recallAtK(ranked, relevant, 10)).toBeCloseTo(2 / 3, 10);
  });

  it('is 1 for a single relevant tool ranked first', () => {
    expect(recallAtK(ranked, new Set(['a']), 1)).toBe(1);
  });
});

describe('complete@k', () => {
  it('is 1 only when every relevant tool is in the top k', () => {
    const relevant = new Set(['b', 'e']);
    expect(completeAtK(ranked, relevant, 2)).toBe(0);
    expect(completeAtK(ranked, relevant, 4)).toBe(0);
    expect(completeAtK(ranked, relevant, 5)).toBe(1);
    expect(completeAtK(ranked, new Set(['b', 'x']), 5)).toBe(0);
  });
});

describe('nDCG@k (binary relevance)', () => {
  it('discounts relevant tools by rank and normalises by the ideal ranking', () => {
    // DCG = 1/log2(3) + 1/log2(6) = 1.017783; ideal = 1 + 1/log2(3) = 1.630930
    expect(ndcgAtK(ranked, new Set(['b', 'e']), 5)).toBeCloseTo(0.6240505, 6);
  });

  it('takes the ideal over min(k, |relevant|) places', () => {
    expect(ndcgAtK(['a', 'b', 'z'], new Set(['a', 'b', 'c']), 2)).toBe(1);
    // one relevant tool at rank 3 of three relevant: (1/log2(4)) / (1 + 1/log2(3) + 1/log2(4))
    expect(ndcgAtK(['x', 'y', 'c'], new Set(['a', 'b', 'c']), 3)).toBeCloseTo(0.2346394, 6);
  });

  it('is 1 for a perfect ranking and 0 when nothing relevant is listed', () => {
    expect(ndcgAtK(ranked, new Set(['a', 'b']), 5)).toBe(1);
    expect(ndcgAtK(ranked, new Set(['x']), 5)).toBe(0);
  });
});

describe('reciprocal rank', () => {
  it('is 1 / rank of the first relevant tool, 0 without one', () => {
    expect(reciprocalRank(ranked, new Set(['c', 'e']))).toBeCloseTo(1 / 3, 10);
    expect(reciprocalRank(ranked, new Set(['a']))).toBe(1);
    expect(reciprocalRank(ranked, new Set(['x']))).toBe(0);
  });

  it('averages into MRR', () => {
    const rrs = [reciprocalRank(ranked, new Set(['a'])), reciprocalRank(ranked, new Set(['b'])), reciprocalRank(ranked, new Set(['x']))];
    expect(mean(rrs)).toBeCloseTo((1 + 0.5 + 0) / 3, 10);
  });
});

describe('percentile (nearest rank)', () => {
  it('picks the sample at rank ceil(p/100 * n)', () => {
    expect(percentile([5, 1, 3, 2, 4], 50)).toBe(3);
    expect(percentile([5, 1, 3, 2, 4], 95)).toBe(5);
    expect(percentile(Array.from({ length: 20 }, (_, i) => i + 1), 95)).toBe(19);
    expect(percentile([7], 50)).toBe(7);
  });
});
