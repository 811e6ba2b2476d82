import type { Retriever, ScoredTool, SearchOptions } from './types.js';

/** The k of reciprocal-rank fusion (Cormack et al. 2009): damps the weight of the very first ranks. */
export const RRF_K = 60;

/** Each retriever is asked for this many candidates at least, so a tool ranked well by one of them can surface. */
export const FUSION_CANDIDATES = 50;

/** Sums 1 / (k + rank) over the ranked lists a tool appears in; best first. */
export function reciprocalRankFusion(lists: readonly ScoredTool[][], k: number = RRF_K): ScoredTool[] {
  const fused = new Map<string, number>();
  for (const list of lists) {
    list.forEach((tool, rank) => fused.set(tool.id, (fused.get(tool.id) ?? 0) + 1 / (k + rank + 1)));
  }
  return [...fused].map(([id, score]) => ({ id, score })).sort((a, b) => b.score - a.score);
}

/**
 * Lexical and dense retrieval fused by reciprocal rank. Both see the caller's filter, so fusion only ever ranks
 * tools the caller may call and the top-k cut happens after the filter.
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
      return reciprocalRankFusion([lexicalHits, denseHits]).slice(0, options.limit);
    },
  };
}
