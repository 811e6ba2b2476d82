import { actionAgreement, impliedTerms, requestedAction, toolAction } from './action-lexicon.js';
import { standardized } from './hybrid.js';
import { searchTerms } from './terms.js';
import type { IndexableTool, Retriever, ScoredTool, SearchOptions } from './types.js';

/** How many of the first stage's best the reranker reorders. */
export const RERANK_CANDIDATES = 30;

/**
 * Feature weights, in standard deviations of the first stage's score. Chosen on the eval suites
 * (eval/reports/ranking.md, `npm run eval:ranking`): each is the largest that lowered recall@5 on no suite.
 */
export const RERANK_WEIGHTS = { action: 0.35, name: 0.25, implied: 3 } as const;

export interface RerankParts {
  /** The first stage. */
  readonly base: Retriever;
  /** Lexical search: draws in tools about what a request's verb implies. */
  readonly lexical: Retriever;
  readonly tool: (id: string) => IndexableTool | undefined;
}

/**
 * Second stage over the first stage's best `RERANK_CANDIDATES`: reorders them by the standardized first-stage score
 * plus what a bag-of-words ranking does not see: whether the tool does the kind of action asked for (a request to add
 * must not get a delete tool, `action-lexicon.ts`), how much of the tool's name the request says, and whether the tool
 * is about what the request's verb implies ("remember ..." -> a memory tool; such tools are drawn in when the first stage missed them). A verb that names a
 * domain is strong evidence, and rare in requests, so that feature weighs most.
 */
export function rerankingRetriever(parts: RerankParts): Retriever {
  return {
    name: parts.base.name,
    async search(query: string, options: SearchOptions): Promise<ScoredTool[]> {
      const pool = { ...options, limit: Math.max(options.limit, RERANK_CANDIDATES) };
      // Tools about what the request's verb implies are drawn in by a lexical search for those words alone.
      const implied = impliedTerms(query);
      const [first, drawnIn] = await Promise.all([
        parts.base.search(query, pool),
        implied.length > 0 ? parts.lexical.search(implied.join(' '), options) : [],
      ]);
      const candidates = [...first, ...drawnIn.filter((hit) => !first.some(({ id }) => id === hit.id))];
      // A drawn-in tool starts from the mean: the first stage did not rank it, for better or worse.
      const baseScores = standardized(first);
      const requested = requestedAction(query);
      const queryTerms = new Set(searchTerms(query));
      const impliedStems = new Set(implied.flatMap(searchTerms));
      return candidates
        .map((hit) => {
          const tool = parts.tool(hit.id);
          const nameTerms = tool ? searchTerms(tool.name) : [];
          const named = nameTerms.length === 0 ? 0 : nameTerms.filter((term) => queryTerms.has(term)).length / nameTerms.length;
          const about = tool && impliedStems.size > 0 && toolTerms(tool).some((term) => impliedStems.has(term)) ? 1 : 0;
          const score =
            (baseScores.get(hit.id) ?? 0) +
            RERANK_WEIGHTS.action * actionAgreement(requested, tool ? toolAction(tool.name) : null) +
            RERANK_WEIGHTS.name * named +
            RERANK_WEIGHTS.implied * about;
          return { ...hit, score };
        })
        .sort((a, b) => b.score - a.score)
        .slice(0, options.limit);
    },
  };
}

function toolTerms(tool: IndexableTool): string[] {
  return searchTerms(`${tool.server} ${tool.name} ${tool.description}`);
}
