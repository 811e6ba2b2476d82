import type { Retriever, ScoredTool, SearchOptions } from './types.js';

/**
 * Weight of the lexical score in the blend (the dense score gets the rest). Measured with use-lite as the dense
 * embedder on five public benchmarks (docs/retrieval.md): mean recall@5 was 0.696 with reciprocal-rank fusion
 * (k 60), 0.715 / 0.731 / 0.737 / 0.739 blending at 0.5 / 0.6 / 0.7 / 0.8; 0.7 loses less where dense is strong.
 */
export const LEXICAL_WEIGHT = 0.7;

/** Each retriever is asked for this many candidates at least, so a tool ranked well by one of them can surface. */
export const FUSION_CANDIDATES = 50;

/**
 * Calibrated score blending: each ranking's scores are min-max scaled to [0, 1] over its candidates (BM25 scores
 * are unbounded, cosines crowd together), then mixed with `lexicalWeight`. A tool missing from a ranking gets 0
 * from it. Best first.
 */
export function blendScores(lexical: readonly ScoredTool[], dense: readonly ScoredTool[], lexicalWeight = LEXICAL_WEIGHT): ScoredTool[] {
  const blended = new Map<string, number>();
  const add = (ranking: readonly ScoredTool[], weight: number) => {
    const high = ranking[0]?.score ?? 0;
    const low = ranking[ranking.length - 1]?.score ?? 0;
    for (const { id, score } of ranking) {
      const scaled = high === low ? 1 : (score - low) / (high - low);
      blended.set(id, (blended.get(id) ?? 0) + weight * scaled);
    }
  };
  add(lexical, lexicalWeight);
  add(dense, 1 - lexicalWeight);
  return [...blended].map(([id, score]) => ({ id, score })).sort((a, b) => b.score - a.score);
}

/**
 * Lexical and dense retrieval blended. Both see the caller's filter, so only tools the caller may call are ever
 * ranked and the top-k cut happens after the filter.
 */
export function hybridRetriever(lexical: Retriever, dense: Retriever): Retriever {
  return {
    name: 'hybrid',
    async search(query: string, options: SearchOptions): Promise<ScoredTool[]> {
      const candidates = { ...options, limit: Math.max(options.limit, FUSION_CANDIDATES) };
      const [lexicalHits, denseHits] = await Promise.all([
        lexical.search(query, candidates),
        dense.search(query, candidates),
      ]);
      return blendScores(lexicalHits, denseHits).slice(0, options.limit);
    },
  };
}
