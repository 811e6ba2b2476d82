import { impliedDomain, toolAction } from './action-lexicon.js';
import { liftedRanking } from './lift.js';
import { searchTerms } from './terms.js';
import type { IndexableTool, RankingStageParts, Retriever, ScoredTool, SearchOptions } from './types.js';

/** How many of the first stage's best are reordered when a request's verb names a domain. */
export const IMPLIED_DOMAIN_CANDIDATES = 30;

/**
 * Lift of a tool that is about the domain a request's verb implies, in standard deviations of the first stage's score.
 * A verb that names a domain ("remember") is strong evidence and rare in requests. Chosen on the eval suites with
 * MiniLM (500 queries each): mcp-catalog +0.9 (its memory requests), no other suite changed by more than 0.05.
 */
export const IMPLIED_DOMAIN_WEIGHT = 3;

/**
 * Among the domain's tools, the lift added for doing the action the verb asks, and taken from those doing another, in
 * the same units. The verb says both the domain and what to do in it, and a memory server's create, read and delete
 * tools are alike in words: without it "remember that Alice works at Acme" got whichever the first stage happened to
 * prefer, delete tools included.
 */
export const IMPLIED_ACTION_WEIGHT = 2;

export interface ImpliedDomainParts extends RankingStageParts {
  /** Lexical search: draws in the domain's tools when the first stage missed them. */
  readonly lexical: Retriever;
}

/**
 * Requests whose verb names a domain without its word ("remember that Alice is the tech lead", "forget Alice") find
 * that domain's tools, which neither a bag of words nor a small embedding connects: the memory server's tools say
 * "entities", "observations" and "knowledge graph", never "remember". A tool is about the domain when its server's or
 * its own name holds the implied word (`action-lexicon.ts`); such tools are drawn in by a lexical search for those
 * words and lifted by IMPLIED_DOMAIN_WEIGHT, plus or minus IMPLIED_ACTION_WEIGHT as they do what the verb asks or
 * another action. Every other request goes straight to the first stage.
 */
export function impliedDomainRetriever(parts: ImpliedDomainParts): Retriever {
  return {
    name: parts.base.name,
    async search(query: string, options: SearchOptions): Promise<ScoredTool[]> {
      const implied = impliedDomain(query);
      if (!implied) return parts.base.search(query, options);
      const pool = { ...options, limit: Math.max(options.limit, IMPLIED_DOMAIN_CANDIDATES) };
      const [first, drawnIn] = await Promise.all([parts.base.search(query, pool), parts.lexical.search(implied.terms.join(' '), pool)]);
      const stems = new Set(implied.terms.flatMap(searchTerms));
      // +1: about the domain and doing what the verb asks; -1: about it, doing another action; 0: about it, action
      // unknown; undefined: not about it.
      const agreement = (id: string): number | undefined => {
        const tool = parts.tool(id);
        if (tool === undefined || !identityTerms(tool).some((term) => stems.has(term))) return undefined;
        const action = toolAction(tool.name);
        return action === null ? 0 : action === implied.action ? 1 : -1;
      };
      const lift = (hit: ScoredTool): number => {
        const agrees = agreement(hit.id);
        return agrees === undefined ? 0 : IMPLIED_DOMAIN_WEIGHT + IMPLIED_ACTION_WEIGHT * agrees;
      };
      const candidates = [...first, ...drawnIn.filter((hit) => agreement(hit.id) !== undefined && !first.some(({ id }) => id === hit.id))];
      return liftedRanking(first, candidates, lift, options.limit).map((hit) =>
        agreement(hit.id) === 1 ? { ...hit, signals: { ...hit.signals, doesImpliedAction: true } } : hit,
      );
    },
  };
}

/** What a tool is, by its server's and its own name: a word its description merely uses ("stores …") does not count. */
function identityTerms(tool: IndexableTool): string[] {
  return searchTerms(`${tool.server} ${tool.name}`);
}
