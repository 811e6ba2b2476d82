import { searchTerms } from './terms.js';
import type { Retriever, ScoredTool, SearchOptions } from './types.js';

/** Sentence ends and explicit sequencing words always separate actions. */
const STEP_BOUNDARY =
  /[.!?;]+\s+|;\s*|,?\s+(?:and\s+then|then|after\s+that|afterwards|and\s+finally|and\s+also|additionally)\s+/i;
/** Sequencing words left at the start of a step ("Then, analyze …" after a sentence end). */
const LEADING_CONNECTIVE =
  /^(?:and\s+then|then|after\s+that|afterwards|finally|lastly|next|also|additionally|and|first(?:ly)?)\b[\s,]*/i;
/**
 * `and` followed by one of these verbs starts a new action ("find the file and email it"); any other `and`
 * joins things ("news about Tesla and its stock", "origins, culture, and events") and does not split.
 */
const ACTION_VERBS = new Set(
  ('add analyse analyze archive book calculate cancel change check compare compress convert copy count create ' +
    'delete describe download draft edit email estimate explain export extract fetch fill find forward generate get ' +
    'give import install invite list load log look make merge move notify open order pay plan play post print ' +
    'publish read record remember remind remove rename reply report reserve restart retrieve return run save ' +
    'schedule search send set share show sort start stop store submit summarise summarize tell text track ' +
    'translate tweet update upload validate verify write').split(' '),
);
const AND_ACTION = /,?\s+and\s+(?=(?:please\s+)?([A-Za-z]+))/gi;
/** Each step is a search of its own: past this many, the remaining steps are searched together as the last one. */
const MAX_QUERY_STEPS = 8;

/**
 * Splits a request that mentions several actions into one sub-query per action:
 * "find the file, then email it to Bob" -> ["find the file", "email it to Bob"]. Rule-based: sentence ends and
 * sequencing words ("then", "after that", …) always split; `and` splits only before an action verb.
 */
export function decomposeQuery(query: string): string[] {
  const steps = query
    .split(STEP_BOUNDARY)
    .flatMap(splitBeforeActions)
    .map((step) => step.replace(/^[\s,.;:!?]+|[\s,.;:!?]+$/g, '').replace(LEADING_CONNECTIVE, ''))
    .filter((step) => searchTerms(step).length > 0);
  if (steps.length <= MAX_QUERY_STEPS) return steps;
  return [...steps.slice(0, MAX_QUERY_STEPS - 1), steps.slice(MAX_QUERY_STEPS - 1).join(' ')];
}

function splitBeforeActions(part: string): string[] {
  const steps: string[] = [];
  let start = 0;
  for (const match of part.matchAll(AND_ACTION)) {
    if (!ACTION_VERBS.has(match[1]!.toLowerCase())) continue;
    steps.push(part.slice(start, match.index));
    start = match.index + match[0].length;
  }
  steps.push(part.slice(start));
  return steps;
}

/**
 * Retrieves for each action of the request and for the whole request, and interleaves the rankings, so every action
 * gets tools within the limit instead of the wordiest action taking all places. The order is documented
 * (docs/retrieval.md): the best tool of step 1, of step 2, …, then the whole request's best; then the second best of
 * each in the same order, and so on. Each result says which step it was found for (`step`, 1-based; 0: the whole
 * request). The whole request keeps its own lane: it wins when a "step" was no action of its own ("Please use these
 * details.") and for single-tool requests spread over sentences (docs/retrieval.md: mean recall@5 over five
 * benchmarks 0.742 without decomposition, 0.767 with the steps alone, 0.773 with the whole request as a lane too).
 * A single-action request goes straight to `retriever`.
 */
export function decomposingRetriever(retriever: Retriever): Retriever {
  return {
    name: retriever.name,
    async search(query: string, options: SearchOptions): Promise<ScoredTool[]> {
      const steps = decomposeQuery(query);
      if (steps.length < 2) return retriever.search(query, options);
      const rankings = await Promise.all([...steps, query].map((text) => retriever.search(text, options)));
      const lanes = rankings.map((ranking, lane) =>
        ranking.map((hit) => ({ ...hit, step: lane < steps.length ? lane + 1 : 0 })),
      );
      return interleave(lanes, options.limit);
    },
  };
}

/** Round-robin over the rankings, each tool once (keeping its first score), until `limit` tools are taken. */
export function interleave<T extends ScoredTool>(rankings: readonly T[][], limit: number): T[] {
  const taken = new Map<string, T>();
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
