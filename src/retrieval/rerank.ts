import { actionAgreement, requestedAction, toolAction } from './action-lexicon.js';
import { liftedRanking } from './lift.js';
import { searchTerms } from './terms.js';
import type { RankingStageParts, Retriever, ScoredTool, SearchOptions } from './types.js';

/** How many of the first stage's best the reranker reorders. */
export const RERANK_CANDIDATES = 30;

/**
 * Feature weights, in standard deviations of the first stage's score. Chosen on the eval suites
 * (eval/reports/ranking.md, `npm run eval:ranking`): each is the largest that lowered recall@5 on no suite.
 */
export const RERANK_WEIGHTS = { action: 0.35, name: 0.25 } as const;

/**
 * Second stage over the first stage's best `RERANK_CANDIDATES`: reorders them by the standardized first-stage score
 * plus what a bag-of-words ranking does not see: whether the tool does the kind of action asked for (a request to add
 * must not get a delete tool, `action-lexicon.ts`) and how much of the tool's name the request says. (Whether a tool
 * is about the domain a request's verb implies is a stage of its own, always on: `implied-domain.ts`.)
 */
export function rerankingRetriever(parts: RankingStageParts): Retriever {
  return {
    name: parts.base.name,
    async search(query: string, options: SearchOptions): Promise<ScoredTool[]> {
      const candidates = await parts.base.search(query, { ...options, limit: Math.max(options.limit, RERANK_CANDIDATES) });
      const requested = requestedAction(query);
      const queryTerms = new Set(searchTerms(query));
      const lift = (hit: ScoredTool): number => {
        const tool = parts.tool(hit.id);
        const nameTerms = tool ? searchTerms(tool.name) : [];
        const named = nameTerms.length === 0 ? 0 : nameTerms.filter((term) => queryTerms.has(term)).length / nameTerms.length;
        return RERANK_WEIGHTS.action * actionAgreement(requested, tool ? toolAction(tool.name) : null) + RERANK_WEIGHTS.name * named;
      };
      return liftedRanking(candidates, candidates, lift, options.limit);
    },
  };
}
