import { standardized } from './hybrid.js';
import { searchTerms } from './terms.js';
import type { Retriever, ScoredTool, SearchOptions } from './types.js';

/** One search followed by a call of a tool it found: the request (redacted) and the tool chosen for it. */
export interface UsageRecord {
  readonly query: string;
  readonly tool: string;
  readonly at: string;
}

/** Default most records kept; the oldest leave first. */
export const DEFAULT_MAX_USAGE_RECORDS = 5_000;

/**
 * How alike two requests must be (cosine of their sets of stemmed terms) for the tool chosen for one to count for the
 * other. Chosen on the eval suites with `--history` (eval/reports/ranking.md): lower thresholds let tools chosen for
 * merely related requests push the right one out of the top 5.
 */
export const SIMILAR_REQUEST = 0.5;

/** Weight of the history boost, in standard deviations of the first stage's score, at similarity 1. */
export const HISTORY_WEIGHT = 5;

/**
 * Which tools principals actually called after searching, and for what (learning from use). Bounded; queries are
 * kept as given (the caller redacts). Similar past requests are found through an inverted index over their terms.
 */
export class UsageHistory {
  private readonly records: Array<UsageRecord & { readonly terms: ReadonlySet<string> }> = [];

  constructor(
    records: readonly UsageRecord[] = [],
    private readonly maxRecords = DEFAULT_MAX_USAGE_RECORDS,
  ) {
    for (const record of records) this.add(record);
  }

  get size(): number {
    return this.records.length;
  }

  add(record: UsageRecord): void {
    const terms = new Set(searchTerms(record.query));
    if (terms.size === 0) return;
    this.records.push({ ...record, terms });
    if (this.records.length > this.maxRecords) this.records.splice(0, this.records.length - this.maxRecords);
  }

  all(): UsageRecord[] {
    return this.records.map(({ query, tool, at }) => ({ query, tool, at }));
  }

  /** Each tool chosen for a request like `query`, with the closest such request's similarity (>= SIMILAR_REQUEST). */
  chosenFor(query: string): Map<string, number> {
    const terms = new Set(searchTerms(query));
    const chosen = new Map<string, number>();
    if (terms.size === 0) return chosen;
    for (const record of this.records) {
      let shared = 0;
      for (const term of record.terms) if (terms.has(term)) shared++;
      if (shared === 0) continue;
      const similarity = shared / Math.sqrt(terms.size * record.terms.size);
      if (similarity >= SIMILAR_REQUEST && similarity > (chosen.get(record.tool) ?? 0)) chosen.set(record.tool, similarity);
    }
    return chosen;
  }
}

/**
 * Boosts the tools chosen before for similar requests: first-stage scores standardized, plus HISTORY_WEIGHT times the
 * similarity of the closest past request. A chosen tool the first stage did not return is drawn in at the mean score
 * (if the caller may use it and the index still holds it).
 */
export function historyRetriever(base: Retriever, history: UsageHistory, exists: (id: string) => boolean): Retriever {
  return {
    name: base.name,
    async search(query: string, options: SearchOptions): Promise<ScoredTool[]> {
      const chosen = history.chosenFor(query);
      if (chosen.size === 0) return base.search(query, options);
      const found = await base.search(query, { ...options, limit: Math.max(options.limit, 30) });
      const scores = standardized(found);
      const missing = [...chosen.keys()].filter(
        (id) => !found.some((hit) => hit.id === id) && exists(id) && (!options.filter || options.filter(id)),
      );
      return [...found, ...missing.map((id) => ({ id, score: 0 }))]
        .map((hit) => ({ ...hit, score: (scores.get(hit.id) ?? 0) + HISTORY_WEIGHT * (chosen.get(hit.id) ?? 0) }))
        .sort((a, b) => b.score - a.score)
        .slice(0, options.limit);
    },
  };
}
