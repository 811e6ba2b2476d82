import MiniSearch from 'minisearch';
import { SEARCH_FIELDS, type SearchDocument, type SearchField } from './document.js';
import { searchTerms } from './terms.js';
import type { ScoredTool, SearchOptions } from './types.js';

/**
 * BM25 parameters, set explicitly rather than inherited from minisearch (which defaults to k 1.2, b 0.7, d 0.5).
 * d = 0 turns minisearch's BM25+ back into plain BM25. Remaining deviations from textbook Robertson/Sparck Jones
 * BM25, pinned by test/retrieval-bm25.test.ts: the IDF is log(1 + (N - n + 0.5) / (n + 0.5)), never negative;
 * a field's length is its number of distinct terms, not of tokens; each field is scored on its own (own average
 * length) and the field scores are summed with the boosts below; the total is multiplied by the number of distinct
 * query terms the document matched.
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

/** BM25 over the tools' search documents (minisearch), updated tool by tool. */
export class LexicalIndex {
  private readonly search = new MiniSearch<SearchDocument>({
    fields: [...SEARCH_FIELDS],
    idField: 'id',
    tokenize: searchTerms,
    processTerm: (term) => term,
    searchOptions: { boost: { ...FIELD_BOOSTS }, bm25: BM25_PARAMETERS, combineWith: 'OR' },
  });

  upsert(document: SearchDocument): void {
    if (this.search.has(document.id)) this.search.replace(document);
    else this.search.add(document);
  }

  remove(id: string): void {
    if (this.search.has(id)) this.search.discard(id);
  }

  get size(): number {
    return this.search.documentCount;
  }

  /** Best `limit` matches among the tools `filter` admits (the filter runs before the cut). */
  query(text: string, options: SearchOptions): ScoredTool[] {
    const { filter } = options;
    return this.search
      .search(text, filter ? { filter: (result) => filter(result.id as string) } : {})
      .slice(0, options.limit)
      .map((result) => ({ id: result.id as string, score: result.score }));
  }
}
