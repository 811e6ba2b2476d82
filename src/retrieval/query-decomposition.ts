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
  ('add analyse analyze approve archive assign book calculate cancel change check close commit compare compress ' +
    'convert copy count create delete deploy describe download draft edit email estimate explain export extract ' +
    'fetch fill find forward generate get give import install invite list load log look make merge move notify open ' +
    'order pay ping plan play post print publish read record remember remind remove rename reopen reply report ' +
    'reserve resolve restart retrieve return run save schedule scrape search send set share show sort start stop ' +
    'store submit summarise summarize tell text track translate tweet update upload validate verify write').split(' '),
);
/**
 * Words that are verbs and nouns alike ("file a bug" / "file names"): after `and` they start an action only when an
 * object follows at once ("and file a jira bug", "and page the on-call", "and drop the number in #growth").
 */
const NOUN_VERBS = new Set(
  'attach call comment drop file label message page push review screenshot stage tag'.split(' '),
);
const OBJECT_WORDS = new Set('a an the it them him her me us this that these those my our your his their its'.split(' '));
const AND_ACTION = /,?\s+and\s+(?=(?:please\s+)?([A-Za-z]+)(?:\s+([A-Za-z]+))?)/gi;
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
    if (!startsAction(match[1]!.toLowerCase(), match[2]?.toLowerCase())) continue;
    steps.push(part.slice(start, match.index));
    start = match.index + match[0].length;
  }
  steps.push(part.slice(start));
  return steps;
}

function startsAction(word: string, next: string | undefined): boolean {
  return ACTION_VERBS.has(word) || (NOUN_VERBS.has(word) && next !== undefined && OBJECT_WORDS.has(next));
}

/**
 * A step none of whose tools is as likely as this to be one the request needs (calibrated confidence, `confidence.ts`)
 * is no action of its own but context ("I'm a photographer.", "Please be quick about it."): its lane would only take
 * places from the others, so it gets none. Half the "no good match" threshold; 0.15 and above cost metatool-multi,
 * whose steps are real but less sure (docs/retrieval.md). Its most confident tool, not its first, decides: a tool
 * drawn in by learning from use can lead a ranking with no scores of its own. A step that opens with an action verb
 * keeps its lane whatever its confidence: "read the contents of notes.txt" among four read tools is an action whose
 * tools crowd together, which the confidence reads as unsure.
 */
export const MIN_STEP_CONFIDENCE = 0.1;

/**
 * Retrieves for the whole request and for each of its actions, and interleaves the rankings, so every action gets
 * tools within the limit instead of the wordiest action taking all places. The order is documented
 * (docs/retrieval.md): the whole request's best, then the best tool of step 1, of step 2, …; then the second best of
 * each in the same order, and so on. The whole request leads each round because agents act on the first result: it
 * ranks first what the request as a whole asks for (recall@1 higher on eight of nine suites than with the steps
 * first, recall@5 within a point; README, lane order). It also wins when a "step" was no action of its own ("Please
 * use these details.") and for single-tool requests spread over sentences (docs/retrieval.md: mean recall@5 over five
 * benchmarks 0.742 without decomposition, 0.767 with the steps alone, 0.773 with the whole request as a lane too).
 * Each result names the step it serves (`step`, 1-based: the step whose own search ranks it highest; 0 when no step's
 * search found it). A step that does not open with an action verb and none of whose tools reaches MIN_STEP_CONFIDENCE
 * (`confidenceOf`) gets no lane and serves no result; the others keep their numbers. A single-action request goes
 * straight to `retriever`.
 */
export function decomposingRetriever(retriever: Retriever, confidenceOf: (hit: ScoredTool) => number): Retriever {
  return {
    name: retriever.name,
    async search(query: string, options: SearchOptions): Promise<ScoredTool[]> {
      const steps = decomposeQuery(query);
      if (steps.length < 2) return retriever.search(query, options);
      const [whole, ...rankings] = await Promise.all([query, ...steps].map((text) => retriever.search(text, options)));
      const byStep = rankings.map((ranking, i) =>
        startsWithAction(steps[i]!) || ranking.some((hit) => confidenceOf(hit) >= MIN_STEP_CONFIDENCE) ? ranking : [],
      );
      return interleave([whole!, ...byStep], options.limit).map((hit) => ({ ...hit, step: stepServed(hit.id, byStep) }));
    },
  };
}

/** Whether a step opens with an action verb ("read the contents of notes.txt"): an action, however unsure its tools. */
function startsWithAction(step: string): boolean {
  const [first, second] = step.replace(/^please\s+/i, '').toLowerCase().split(/\s+/);
  return first !== undefined && startsAction(first, second);
}

/** The 1-based step whose ranking has `id` highest (the earlier step on a tie), or 0 when none has it. */
function stepServed(id: string, byStep: readonly ScoredTool[][]): number {
  let best = { step: 0, rank: Infinity };
  byStep.forEach((ranking, index) => {
    const rank = ranking.findIndex((hit) => hit.id === id);
    if (rank >= 0 && rank < best.rank) best = { step: index + 1, rank };
  });
  return best.step;
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
