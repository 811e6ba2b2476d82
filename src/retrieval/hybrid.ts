import type { Retriever, ScoredTool, SearchOptions } from './types.js';

/**
 * Weight of the lexical score in the blend (the dense score gets the rest). With use-lite as the dense embedder
 * (docs/retrieval.md), on queries the eval does not sample: 0.6 / 0.7 / 0.8 all stay at or above BM25 on every
 * benchmark and 0.7 has the best mean recall@5; 0.5 falls below BM25 where dense is weak (Gorilla).
 */
export const LEXICAL_WEIGHT = 0.7;

/** Each retriever is asked for this many candidates at least, so a tool ranked well by one of them can surface. */
export const FUSION_CANDIDATES = 50;

/**
 * Each ranking's scores as z-scores over its own candidates (BM25 scores are unbounded, cosines crowd together).
 * Unlike min-max, which pins the last candidate to 0 and so stretches the spread of crowded cosines to the full
 * range, this measures every candidate against the whole list. Held-out queries the eval does not sample
 * (docs/retrieval.md), recall@5 mean over six benchmarks: 63.66 with either scaling, but the worst gain over
 * BM25 rises from 0.0 (min-max) to +0.3 points; on the eval sets from -0.2 to +0.2. Equal scores give all zeros.
 */
export function standardized(ranking: readonly ScoredTool[]): Map<string, number> {
  const mean = ranking.reduce((sum, { score }) => sum + score, 0) / ranking.length;
  const spread = Math.sqrt(ranking.reduce((sum, { score }) => sum + (score - mean) ** 2, 0) / ranking.length);
  return new Map(ranking.map(({ id, score }) => [id, spread === 0 ? 0 : (score - mean) / spread]));
}

/**
 * Calibrated score blending: each ranking's scores are standardized over its candidates, then mixed with
 * `lexicalWeight`. A tool missing from a ranking gets that ranking's lowest score (it ranked below every candidate
 * there). Best first.
 */
export function blendScores(lexical: readonly ScoredTool[], dense: readonly ScoredTool[], lexicalWeight = LEXICAL_WEIGHT): ScoredTool[] {
  const sides = [
    { scores: standardized(lexical), weight: lexicalWeight },
    { scores: standardized(dense), weight: 1 - lexicalWeight },
  ].map(({ scores, weight }) => ({ scores, weight, floor: Math.min(0, ...scores.values()) }));
  const ids = new Set([...lexical, ...dense].map(({ id }) => id));
  const lexicalRaw = new Map(lexical.map(({ id, score }) => [id, score]));
  const denseRaw = new Map(dense.map(({ id, score }) => [id, score]));
  return [...ids]
    .map((id) => {
      const cosine = denseRaw.get(id);
      return {
        id,
        score: sides.reduce((sum, side) => sum + side.weight * (side.scores.get(id) ?? side.floor), 0),
        signals: { lexical: lexicalRaw.get(id) ?? 0, ...(cosine !== undefined && { dense: cosine }) },
      };
    })
    .sort((a, b) => b.score - a.score);
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
