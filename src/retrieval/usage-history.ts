import { actionsConflict, requestedAction, toolAction } from './action-lexicon.js';
import { liftedRanking } from './lift.js';
import { searchTerms } from './terms.js';
import type { IndexableTool, Retriever, ScoredTool, SearchOptions } from './types.js';

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

/**
 * The same cosine with each term weighted by how rare it is among past requests (squared smoothed IDF) must reach
 * this too: requests that share only words many requests use ("information", "state", "field") are not alike, however
 * short they are. Chosen on the eval suites (docs/retrieval.md, "Learning from use"): it ended the losses on seal-tools
 * and mcp-catalog and kept most gains elsewhere; at 0.5 it cost most of the Gorilla gains.
 */
export const SPECIFIC_SIMILARITY = 0.4;

/** Weight of the history boost, in standard deviations of the first stage's score, at similarity 1. */
export const HISTORY_WEIGHT = 5;

/**
 * Which tools principals actually called after searching, and for what (learning from use). Bounded; queries are
 * kept as given (the caller redacts). Similar past requests are found through an inverted index over their terms.
 */
export class UsageHistory {
  /** Oldest first. */
  private readonly records: StoredRecord[] = [];
  /** Term -> the records whose request holds it. */
  private readonly recordsWithTerm = new Map<string, Set<StoredRecord>>();
  private added = 0;

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
    const stored = { ...record, terms, order: this.added++ };
    this.records.push(stored);
    for (const term of terms) {
      const holding = this.recordsWithTerm.get(term);
      if (holding) holding.add(stored);
      else this.recordsWithTerm.set(term, new Set([stored]));
    }
    if (this.records.length <= this.maxRecords) return;
    for (const evicted of this.records.splice(0, this.records.length - this.maxRecords)) {
      for (const term of evicted.terms) {
        const holding = this.recordsWithTerm.get(term)!;
        holding.delete(evicted);
        if (holding.size === 0) this.recordsWithTerm.delete(term);
      }
    }
  }

  all(): UsageRecord[] {
    return this.records.map(({ query, tool, at }) => ({ query, tool, at }));
  }

  /**
   * Each tool chosen for a request like `query`, with the closest such request's similarity: its term cosine, at least
   * SIMILAR_REQUEST, with a rarity-weighted cosine of at least SPECIFIC_SIMILARITY. Only records sharing a term with
   * the query are visited.
   */
  chosenFor(query: string): Map<string, number> {
    const terms = new Set(searchTerms(query));
    const sharedTerms = new Map<StoredRecord, number>();
    for (const term of terms) {
      for (const record of this.recordsWithTerm.get(term) ?? []) sharedTerms.set(record, (sharedTerms.get(record) ?? 0) + 1);
    }
    const alike: Array<{ record: StoredRecord; similarity: number }> = [];
    for (const [record, shared] of sharedTerms) {
      const similarity = shared / Math.sqrt(terms.size * record.terms.size);
      if (similarity >= SIMILAR_REQUEST) alike.push({ record, similarity });
    }
    // Oldest first, as a scan of all records would meet them: which tool is chosen first decides ties later.
    alike.sort((a, b) => a.record.order - b.record.order);

    const chosen = new Map<string, number>();
    const weight = this.termWeights();
    let queryWeight = 0;
    for (const term of terms) queryWeight += weight(term);
    for (const { record, similarity } of alike) {
      if (similarity <= (chosen.get(record.tool) ?? 0)) continue;
      let sharedWeight = 0;
      let recordWeight = 0;
      for (const term of record.terms) {
        const termWeight = weight(term);
        recordWeight += termWeight;
        if (terms.has(term)) sharedWeight += termWeight;
      }
      if (sharedWeight / Math.sqrt(queryWeight * recordWeight) >= SPECIFIC_SIMILARITY) chosen.set(record.tool, similarity);
    }
    return chosen;
  }

  /** Squared smoothed IDF over the records (as scikit-learn's), memoized for one search. */
  private termWeights(): (term: string) => number {
    const memo = new Map<string, number>();
    const total = this.records.length;
    return (term) => {
      let weight = memo.get(term);
      if (weight === undefined) {
        const idf = Math.log((total + 1) / ((this.recordsWithTerm.get(term)?.size ?? 0) + 1)) + 1;
        memo.set(term, (weight = idf * idf));
      }
      return weight;
    };
  }
}

type StoredRecord = UsageRecord & { readonly terms: ReadonlySet<string>; readonly order: number };

/**
 * Boosts the tools chosen before for similar requests: first-stage scores standardized, plus HISTORY_WEIGHT times the
 * similarity of the closest past request. A chosen tool the first stage did not return is drawn in at the mean score
 * (if the caller may use it and the index still holds it). A tool that does another kind of action than the request
 * asks for is not boosted: having added a comment to an issue says nothing about reading its comments.
 */
export function historyRetriever(base: Retriever, history: UsageHistory, tool: (id: string) => IndexableTool | undefined): Retriever {
  return {
    name: base.name,
    async search(query: string, options: SearchOptions): Promise<ScoredTool[]> {
      const requested = requestedAction(query);
      const chosen = new Map(
        [...history.chosenFor(query)].filter(([id]) => {
          const found = tool(id);
          return found !== undefined && !actionsConflict(requested, toolAction(found.name));
        }),
      );
      if (chosen.size === 0) return base.search(query, options);
      const found = await base.search(query, { ...options, limit: Math.max(options.limit, 30) });
      const missing = [...chosen.keys()].filter(
        (id) => !found.some((hit) => hit.id === id) && (!options.filter || options.filter(id)),
      );
      const candidates = [...found, ...missing.map((id) => ({ id, score: 0 }))];
      return liftedRanking(found, candidates, (hit) => HISTORY_WEIGHT * (chosen.get(hit.id) ?? 0), options.limit);
    },
  };
}
