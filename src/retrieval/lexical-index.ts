import { SEARCH_FIELDS, type SearchDocument, type SearchField } from './document.js';
import { ScoreBoard } from './score-board.js';
import { queryTerms, searchTerms } from './terms.js';
import { TopK } from './top-k.js';
import type { ScoredTool, SearchOptions } from './types.js';

/**
 * BM25 parameters: k1 and b as in Lucene; d = 0 is plain BM25, not BM25+. Deviations from textbook Robertson/Sparck
 * Jones BM25, pinned by test/retrieval-bm25.test.ts: the IDF is log(1 + (N - n + 0.5) / (n + 0.5)), never negative;
 * a field's length is its number of distinct terms, not of tokens; each field is scored on its own (own average
 * length) and the field scores are summed with the boosts below; the total is multiplied by the number of distinct
 * query terms the document matched (a coordination factor). These are minisearch's choices, kept so the ranking is
 * minisearch's, which the test suite checks hit for hit. One addition of ours: a query also asks for its adjacent
 * word pairs joined where the index holds the joined word (`queryTerms`: "on call" meets `list_oncalls`); MiniLM
 * hybrid recall@5 +0.3 on mcp-catalog and metatool-multi, +0.2 on gorilla-huggingface, no suite lower (docs/retrieval.md).
 */
export const BM25_PARAMETERS = { k: 1.2, b: 0.75, d: 0 } as const;

/** A word in the tool name says more about what the tool does than the same word in a parameter description. */
export const FIELD_BOOSTS: Readonly<Record<SearchField, number>> = {
  name: 3,
  title: 2,
  description: 1.5,
  params: 1,
  server: 0.5,
};

const FIELD_COUNT = SEARCH_FIELDS.length;
const BOOSTS = SEARCH_FIELDS.map((field) => FIELD_BOOSTS[field]);

/** A term's occurrences, field by field: document slot -> term frequency, in the order documents were added. */
interface Postings {
  readonly term: string;
  readonly fields: Array<Map<number, number> | undefined>;
}

interface IndexedDocument {
  readonly slot: number;
  /** The postings of each field's distinct terms, field after field (a field's count is its length). */
  readonly postings: readonly Postings[];
}

/**
 * BM25 over the tools' search documents, updated tool by tool, answering with the top k only.
 *
 * Why not a general search library: minisearch (the reference this index is checked against) scores every document
 * matching any query term, builds a result object for each and sorts them all; routing over 10,000 tools took 2.2 ms
 * p50 with it, this index 0.22 ms (docs/retrieval.md). Scores accumulate in flat arrays; only the best k are kept.
 */
export class LexicalIndex {
  private readonly postings = new Map<string, Postings>();
  private readonly documents = new Map<string, IndexedDocument>();
  /** Slot -> tool id; slots of removed tools are reused. */
  private readonly ids: Array<string | undefined> = [];
  private readonly freeSlots: number[] = [];
  /** Field -> slot -> length; and each field's total length over all documents. */
  private readonly fieldLengths = SEARCH_FIELDS.map(() => [] as number[]);
  private readonly totalFieldLengths = new Array<number>(FIELD_COUNT).fill(0);
  private readonly board = new ScoreBoard();

  upsert(document: SearchDocument): void {
    this.remove(document.id);
    const slot = this.freeSlots.pop() ?? this.ids.length;
    this.ids[slot] = document.id;
    const documentPostings: Postings[] = [];
    SEARCH_FIELDS.forEach((field, fieldIndex) => {
      let distinctTerms = 0;
      for (const term of searchTerms(document[field])) {
        const postings = this.postingsOf(term);
        const occurrences = (postings.fields[fieldIndex] ??= new Map());
        const frequency = occurrences.get(slot) ?? 0;
        occurrences.set(slot, frequency + 1);
        if (frequency > 0) continue;
        documentPostings.push(postings);
        distinctTerms++;
      }
      this.fieldLengths[fieldIndex]![slot] = distinctTerms;
      this.totalFieldLengths[fieldIndex]! += distinctTerms;
    });
    this.documents.set(document.id, { slot, postings: documentPostings });
  }

  remove(id: string): void {
    const document = this.documents.get(id);
    if (!document) return;
    const { slot } = document;
    let next = 0;
    for (let fieldIndex = 0; fieldIndex < FIELD_COUNT; fieldIndex++) {
      const length = this.fieldLengths[fieldIndex]![slot]!;
      for (const postings of document.postings.slice(next, next + length)) {
        const occurrences = postings.fields[fieldIndex]!;
        occurrences.delete(slot);
        if (occurrences.size > 0) continue;
        postings.fields[fieldIndex] = undefined;
        if (postings.fields.every((field) => field === undefined)) this.postings.delete(postings.term);
      }
      next += length;
      this.totalFieldLengths[fieldIndex]! -= length;
    }
    this.documents.delete(id);
    this.ids[slot] = undefined;
    this.freeSlots.push(slot);
  }

  get size(): number {
    return this.documents.size;
  }

  /** Best `limit` matches among the tools `filter` admits (the filter runs before the cut). */
  query(text: string, options: SearchOptions): ScoredTool[] {
    const board = this.board;
    board.start(this.ids.length);
    for (const [term, repeats] of termCounts(queryTerms(text))) {
      const postings = this.postings.get(term);
      if (!postings) continue;
      board.nextTerm();
      for (let fieldIndex = 0; fieldIndex < FIELD_COUNT; fieldIndex++) {
        const occurrences = postings.fields[fieldIndex];
        if (occurrences) this.scoreField(fieldIndex, occurrences, repeats * BOOSTS[fieldIndex]!);
      }
    }
    // Documents in the order they were first matched, so equal scores keep minisearch's order.
    const best = new TopK(options.limit);
    const { filter } = options;
    for (const slot of board.touched()) {
      const score = board.score(slot);
      if (score <= best.threshold) continue;
      const id = this.ids[slot]!;
      if (!filter || filter(id)) best.offer(id, score);
    }
    return best.result();
  }

  private scoreField(fieldIndex: number, occurrences: ReadonlyMap<number, number>, weight: number): void {
    const { k, b, d } = BM25_PARAMETERS;
    const documentCount = this.documents.size;
    const matching = occurrences.size;
    const idf = Math.log(1 + (documentCount - matching + 0.5) / (matching + 0.5));
    const lengths = this.fieldLengths[fieldIndex]!;
    const averageLength = this.totalFieldLengths[fieldIndex]! / documentCount;
    for (const [slot, frequency] of occurrences) {
      const saturation = d + (frequency * (k + 1)) / (frequency + k * (1 - b + (b * lengths[slot]!) / averageLength));
      this.board.add(slot, weight * idf * saturation);
    }
  }

  private postingsOf(term: string): Postings {
    let postings = this.postings.get(term);
    if (!postings) this.postings.set(term, (postings = { term, fields: new Array(FIELD_COUNT).fill(undefined) }));
    return postings;
  }
}

/** Distinct terms in order of first use, with how often each was used (a repeated query word counts again). */
function termCounts(terms: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const term of terms) counts.set(term, (counts.get(term) ?? 0) + 1);
  return counts;
}
