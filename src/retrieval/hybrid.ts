import { denseReference, lexicalReference } from './confidence.js';
import type { Retriever, ScoredTool, SearchOptions } from './types.js';

/** How the lexical (BM25) and dense rankings are merged. */
export interface FusionSettings {
  /** `zscore`: each side's scores standardized over its candidates, then mixed; `rrf`: weighted reciprocal rank fusion. */
  readonly method: 'zscore' | 'rrf';
  /** Weight of the lexical side (the dense side gets the rest). */
  readonly lexicalWeight: number;
}

/**
 * Chosen by measurement with the default model (all-MiniLM-L6-v2 q8), eval/reports/fusion-sweep.md: of z-score and
 * reciprocal rank fusion at lexical weights 0.3-0.7, z-score 0.4 has the best mean recall@5 over the nine suites
 * (68.2). Every setting falls below dense on gorilla-tfhub (near-duplicate tools BM25 cannot tell apart); the
 * closest, z-score 0.3, trails it by 2.4 points there and loses 0.4 on the mean. 0.7, the use-lite choice, also
 * falls below dense on MetaTool with MiniLM.
 */
export const DEFAULT_FUSION: FusionSettings = { method: 'zscore', lexicalWeight: 0.4 };

/**
 * With use-lite (the offline fallback, weaker than BM25 on half the suites) the lexical side keeps more weight:
 * 0.6-0.8 stay at or above BM25 on every benchmark and 0.7 has the best mean recall@5; 0.5 falls below BM25 where
 * dense is weak (Gorilla); docs/retrieval.md.
 */
export const USE_LITE_FUSION: FusionSettings = { method: 'zscore', lexicalWeight: 0.7 };

/** The measured fusion for an embedder (by its id). */
export function fusionFor(embedderId: string): FusionSettings {
  return embedderId === 'use-lite' ? USE_LITE_FUSION : DEFAULT_FUSION;
}

/** The constant of reciprocal rank fusion (the usual 60: ranks deep in a list still count a little). */
const RRF_K = 60;

/**
 * Each retriever is asked for this many candidates at least, so a tool ranked well by one of them can surface; the
 * confidence estimate measures a tool's scores against the same number of candidates (`confidence.ts`).
 */
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

/** Each tool's rank-based score 1 / (RRF_K + rank), rank from 1. */
function reciprocalRanks(ranking: readonly ScoredTool[]): Map<string, number> {
  return new Map(ranking.map(({ id }, index) => [id, 1 / (RRF_K + index + 1)]));
}

/**
 * The two rankings merged, best first. A tool missing from a ranking gets that ranking's lowest score (it ranked
 * below every candidate there: for z-scores at most 0, for reciprocal ranks 0). Each tool's signals carry its raw
 * scores and what each whole ranking says about them (`lexicalReference`, `denseReference`), so a tool ranked by
 * one side only is still measured against the other side's candidates.
 */
export function fuseRankings(lexical: readonly ScoredTool[], dense: readonly ScoredTool[], fusion: FusionSettings = DEFAULT_FUSION): ScoredTool[] {
  const scale = fusion.method === 'zscore' ? standardized : reciprocalRanks;
  const sides = [
    { scores: scale(lexical), weight: fusion.lexicalWeight },
    { scores: scale(dense), weight: 1 - fusion.lexicalWeight },
  ].map(({ scores, weight }) => ({ scores, weight, floor: fusion.method === 'zscore' ? Math.min(0, ...scores.values()) : 0 }));
  const ids = new Set([...lexical, ...dense].map(({ id }) => id));
  const lexicalRaw = new Map(lexical.map(({ id, score }) => [id, score]));
  const denseRaw = new Map(dense.map(({ id, score }) => [id, score]));
  const references = { ...lexicalReference(lexical), ...denseReference(dense) };
  return [...ids]
    .map((id) => {
      const cosine = denseRaw.get(id);
      return {
        id,
        score: sides.reduce((sum, side) => sum + side.weight * (side.scores.get(id) ?? side.floor), 0),
        signals: { lexical: lexicalRaw.get(id) ?? 0, ...(cosine !== undefined && { dense: cosine }), ...references },
      };
    })
    .sort((a, b) => b.score - a.score);
}

/**
 * Lexical and dense retrieval blended. Both see the caller's filter, so only tools the caller may call are ever
 * ranked and the top-k cut happens after the filter.
 */
export function hybridRetriever(lexical: Retriever, dense: Retriever, fusion: FusionSettings = DEFAULT_FUSION): Retriever {
  return {
    name: 'hybrid',
    async search(query: string, options: SearchOptions): Promise<ScoredTool[]> {
      const candidates = { ...options, limit: Math.max(options.limit, FUSION_CANDIDATES) };
      const [lexicalHits, denseHits] = await Promise.all([
        lexical.search(query, candidates),
        dense.search(query, candidates),
      ]);
      return fuseRankings(lexicalHits, denseHits, fusion).slice(0, options.limit);
    },
  };
}
