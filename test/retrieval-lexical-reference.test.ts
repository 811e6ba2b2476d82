import MiniSearch from 'minisearch';
import { describe, expect, it } from 'vitest';
import { loadEvalDataset } from '../src/eval/load-dataset.js';
import { toIndexableTool } from '../src/eval/run-eval.js';
import { SEARCH_FIELDS, toSearchDocument, type SearchDocument } from '../src/retrieval/document.js';
import { BM25_PARAMETERS, FIELD_BOOSTS, LexicalIndex } from '../src/retrieval/lexical-index.js';
import { queryTerms, searchTerms } from '../src/retrieval/terms.js';
import type { ScoredTool } from '../src/retrieval/types.js';

/**
 * The BM25 index against minisearch, a maintained search library, set up with the same terms, boosts and
 * parameters, and asked for the same query terms: on the repository's MCP catalog (692 tools, 432 labelled requests) both
 * must rank alike, hit for hit.
 */
const { dataset } = await loadEvalDataset('datasets/mcp-catalog/catalog.jsonl', 'datasets/mcp-catalog/queries.jsonl');
const documents = dataset.tools.map((tool) => toSearchDocument(toIndexableTool(tool)));
const queries = dataset.queries.map((query) => query.query);
const LIMIT = 10;

function referenceIndex(): (query: string) => ScoredTool[] {
  const reference = new MiniSearch<SearchDocument>({
    fields: [...SEARCH_FIELDS],
    idField: 'id',
    tokenize: searchTerms,
    processTerm: (term) => term,
    searchOptions: { boost: { ...FIELD_BOOSTS }, bm25: BM25_PARAMETERS, combineWith: 'OR', tokenize: queryTerms },
  });
  reference.addAll(documents);
  return (query) => reference.search(query).slice(0, LIMIT).map((hit) => ({ id: hit.id as string, score: hit.score }));
}

function lexicalIndex(docs: readonly SearchDocument[]): LexicalIndex {
  const index = new LexicalIndex();
  for (const document of docs) index.upsert(document);
  return index;
}

function expectSameRanking(actual: ScoredTool[], expected: ScoredTool[], query: string): void {
  expect(actual.map((hit) => hit.id), query).toEqual(expected.map((hit) => hit.id));
  actual.forEach((hit, i) => expect(hit.score, `${query}: ${hit.id}`).toBeCloseTo(expected[i]!.score, 9));
}

describe('BM25 index against minisearch', () => {
  it('ranks every labelled request of the MCP catalog as minisearch does, scores included', () => {
    const reference = referenceIndex();
    const index = lexicalIndex(documents);
    expect(index.size).toBe(documents.length);
    for (const query of queries) expectSameRanking(index.query(query, { limit: LIMIT }), reference(query), query);
  });

  it('after tools are removed, changed and added back, ranks as an index built from the final tools', () => {
    const index = lexicalIndex(documents);
    const changed = documents.filter((_, i) => i % 3 === 0);
    const gone = new Set(documents.filter((_, i) => i % 3 === 1).map((document) => document.id));
    for (const document of changed) index.upsert({ ...document, description: `${document.description} archive` });
    for (const id of gone) index.remove(id);
    const final = [
      ...documents.filter((document, i) => i % 3 !== 0 && !gone.has(document.id)),
      ...changed.map((document) => ({ ...document, description: `${document.description} archive` })),
    ];
    const fresh = lexicalIndex(final);
    expect(index.size).toBe(final.length);
    for (const query of [...queries, 'archive the mailbox']) {
      const hits = index.query(query, { limit: LIMIT });
      expect(hits.some((hit) => gone.has(hit.id)), query).toBe(false);
      expectSameRanking(hits, fresh.query(query, { limit: LIMIT }), query);
    }
  });

  it('answers as a fresh index after growing between queries', () => {
    const growing = lexicalIndex(documents.slice(0, 10));
    growing.query(queries[0]!, { limit: LIMIT });
    for (const document of documents.slice(10, 300)) growing.upsert(document);
    const fresh = lexicalIndex(documents.slice(0, 300));
    for (const query of queries.slice(0, 50)) expectSameRanking(growing.query(query, { limit: LIMIT }), fresh.query(query, { limit: LIMIT }), query);
  });

  it('forgets a removed tool entirely: its terms match nothing', () => {
    const index = lexicalIndex(documents.slice(0, 3));
    index.upsert({ id: 'only', server: 'zz', name: 'quux frobnicate', title: '', description: 'frobnicates quux', params: '' });
    expect(index.query('frobnicate quux', { limit: 5 }).map((hit) => hit.id)).toEqual(['only']);
    index.remove('only');
    expect(index.query('frobnicate quux', { limit: 5 })).toEqual([]);
    expect(index.size).toBe(3);
  });
});
