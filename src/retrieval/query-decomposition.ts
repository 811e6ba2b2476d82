import { searchTerms } from './terms.js';
import type { Retriever, ScoredTool, SearchOptions } from './types.js';

/** Sentence ends and explicit sequencing words always separate actions. */
const STEP_BOUNDARY = /[.!?;]+\s+|;\s*|,?\s+(?:and\s+then|then|after\s+that|afterwards|and\s+finally)\s+/i;
/** Sequencing words left at the start of a step ("Then, analyze …" after a sentence end). */
const LEADING_CONNECTIVE = /^(?:and\s+then|then|after\s+that|afterwards|finally|lastly|next|also|and|first(?:ly)?)\b[\s,]*/i;
/** `and` separates actions only when both sides say enough to be an action of their own. */
const AND = /,?\s+and\s+/i;
/** Content words a side of an `and` needs to count as a step ("search and replace text" stays one step). */
const MIN_STEP_TERMS = 2;

/**
 * Splits a request that mentions several actions into one sub-query per action:
 * "find the file, then email it to Bob" -> ["find the file", "email it to Bob"]. A simple rule-based split:
 * sentence ends and sequencing words always split; `and` splits when both sides have two or more content words.
 */
export function decomposeQuery(query: string): string[] {
  const steps: string[] = [];
  for (const part of query.split(STEP_BOUNDARY)) {
    let current: string | undefined;
    for (const piece of part.split(AND)) {
      if (current !== undefined && isStep(current) && isStep(piece)) {
        steps.push(current);
        current = piece;
      } else {
        current = current === undefined ? piece : `${current} and ${piece}`;
      }
    }
    if (current !== undefined) steps.push(current);
  }
  return steps
    .map((step) => step.replace(/^[\s,.;:!?]+|[\s,.;:!?]+$/g, '').replace(LEADING_CONNECTIVE, ''))
    .filter((step) => searchTerms(step).length > 0);
}

function isStep(text: string): boolean {
  return searchTerms(text).length >= MIN_STEP_TERMS;
}

/**
 * Retrieves for each action of a multi-step request and interleaves the per-action rankings (first of each, then
 * second of each, …), so every action gets tools within the limit instead of the most wordy action taking all
 * places. A single-action request goes straight to `retriever`.
 */
export function decomposingRetriever(retriever: Retriever): Retriever {
  return {
    name: retriever.name,
    async search(query: string, options: SearchOptions): Promise<ScoredTool[]> {
      const steps = decomposeQuery(query);
      if (steps.length < 2) return retriever.search(query, options);
      const rankings = await Promise.all(steps.map((step) => retriever.search(step, options)));
      return interleave(rankings, options.limit);
    },
  };
}

/** Round-robin over the rankings, each tool once (keeping its first score), until `limit` tools are taken. */
export function interleave(rankings: readonly ScoredTool[][], limit: number): ScoredTool[] {
  const taken = new Map<string, ScoredTool>();
  const depth = Math.max(0, ...rankings.map((ranking) => ranking.length));
  for (let rank = 0; rank < depth && taken.size < limit; rank++) {
    for (const ranking of rankings) {
      const tool = ranking[rank];
      if (tool && !taken.has(tool.id)) taken.set(tool.id, tool);
      if (taken.size === limit) break;
    }
  }
  return [...taken.values()];
}
