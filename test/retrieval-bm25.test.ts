import { describe, expect, it } from 'vitest';
import type { SearchDocument } from '../src/retrieval/document.js';
import { BM25_PARAMETERS, FIELD_BOOSTS, LexicalIndex } from '../src/retrieval/lexical-index.js';
import { queryTerms, searchTerms } from '../src/retrieval/terms.js';

/**
 * Checks the BM25 index's ranking (LexicalIndex) against textbook BM25 computed here, on a corpus whose
 * text sits in one field (description) so field weighting cannot blur the comparison.
 */
const CORPUS: Record<string, string> = {
  d1: 'read file contents from disk',
  d2: 'write text file to disk disk disk',
  d3: 'send email message to recipient',
  d4: 'search email inbox for message matching query words',
  d5: 'read email message by id',
  d6: 'create calendar event with title time attendees location reminder',
};

const k1 = 1.2;
const b = 0.75;
const tokens = Object.fromEntries(Object.entries(CORPUS).map(([id, text]) => [id, searchTerms(text)]));
const N = Object.keys(tokens).length;

/** Document length as the textbook defines it: the number of tokens. */
const tokenCount = (words: string[]) => words.length;
/** Document length as the index measures it: the number of distinct terms. */
const distinctTerms = (words: string[]) => new Set(words).size;
type Length = (words: string[]) => number;
const averageLength = (length: Length) => Object.values(tokens).reduce((sum, words) => sum + length(words), 0) / N;

const documentFrequency = (term: string) => Object.values(tokens).filter((words) => words.includes(term)).length;

/** Robertson/Sparck Jones IDF, as in Robertson & Zaragoza (2009), eq. 3.3: may be negative. */
const rsjIdf = (term: string) => Math.log((N - documentFrequency(term) + 0.5) / (documentFrequency(term) + 0.5));
/** Lucene's (and minisearch's) IDF: the RSJ ratio plus one inside the log, never negative. */
const luceneIdf = (term: string) => Math.log(1 + (N - documentFrequency(term) + 0.5) / (documentFrequency(term) + 0.5));

/** BM25 (Robertson & Zaragoza 2009, eq. 3.15 with the given IDF and length measure). */
function bm25(id: string, query: string, idf: (term: string) => number, length: Length = tokenCount): number {
  const words = tokens[id]!;
  const lengthRatio = length(words) / averageLength(length);
  return searchTerms(query).reduce((score, term) => {
    const tf = words.filter((word) => word === term).length;
    if (tf === 0) return score;
    return score + (idf(term) * tf * (k1 + 1)) / (tf + k1 * (1 - b + b * lengthRatio));
  }, 0);
}

/** What the index computes, per the deviations listed in src/retrieval/lexical-index.ts. */
const documentedBm25 = (id: string, query: string) => bm25(id, query, luceneIdf, distinctTerms);

function textbookRanking(query: string): string[] {
  return Object.keys(CORPUS)
    .map((id) => ({ id, score: bm25(id, query, rsjIdf) }))
    .filter((hit) => searchTerms(query).some((term) => tokens[hit.id]!.includes(term)))
    .sort((x, y) => y.score - x.score)
    .map((hit) => hit.id);
}

function buildIndex(): LexicalIndex {
  const index = new LexicalIndex();
  for (const [id, description] of Object.entries(CORPUS)) {
    const document: SearchDocument = { id, server: '', name: '', title: '', description, params: '' };
    index.upsert(document);
  }
  return index;
}

describe('BM25 ranking against textbook BM25', () => {
  const index = buildIndex();
  const search = (query: string) => index.query(query, { limit: 10 });

  it('uses k1 = 1.2, b = 0.75 and no BM25+ lower bound', () => {
    expect(BM25_PARAMETERS).toEqual({ k: 1.2, b: 0.75, d: 0 });
  });

  it('matches a hand-computed score', () => {
    // "calendar" occurs once, in d6 (8 distinct terms; 31 distinct terms over 6 documents): idf = ln(1 + 5.5/1.5)
    // = 1.5404; tf part = 2.2 / (1 + 1.2 * (0.25 + 0.75 * 8 / (31/6))) = 0.8168; description boost 1.5.
    expect(averageLength(distinctTerms)).toBeCloseTo(31 / 6, 10);
    expect(search('calendar')[0]).toEqual({ id: 'd6', score: expect.closeTo(1.5 * 1.5404 * 0.8168, 3) });
  });

  it('ranks single-term queries as textbook BM25; scores follow the documented variant exactly', () => {
    // Terms in fewer than half the documents: at df = N/2 the RSJ IDF is 0 and the textbook ranking is all ties.
    for (const term of ['disk', 'read', 'file', 'calendar', 'inbox', 'recipient']) {
      const hits = search(term);
      expect(hits.map((hit) => hit.id), term).toEqual(textbookRanking(term));
      for (const hit of hits) {
        expect(hit.score, `${term} ${hit.id}`).toBeCloseTo(FIELD_BOOSTS.description * documentedBm25(hit.id, term), 10);
      }
    }
  });

  it('ranks multi-term queries as textbook BM25 when every term is in fewer than half the documents', () => {
    for (const query of ['read file', 'write text disk', 'calendar event reminder', 'search inbox query']) {
      expect(search(query).map((hit) => hit.id), query).toEqual(textbookRanking(query));
    }
  });

  it('multiplies the BM25 sum by the number of distinct query terms matched (deliberate deviation)', () => {
    const query = 'email message recipient';
    for (const hit of search(query)) {
      const matched = searchTerms(query).filter((term) => tokens[hit.id]!.includes(term)).length;
      expect(hit.score).toBeCloseTo(FIELD_BOOSTS.description * matched * documentedBm25(hit.id, query), 10);
    }
  });

  it('never gives a common term negative weight, unlike the RSJ IDF (deliberate deviation)', () => {
    // "email" is in 3 of 6 documents; add two more so it is in more than half: RSJ IDF turns negative.
    const common = new LexicalIndex();
    const texts = { ...CORPUS, d7: 'forward email', d8: 'archive email' };
    for (const [id, description] of Object.entries(texts)) {
      common.upsert({ id, server: '', name: '', title: '', description, params: '' });
    }
    expect(Math.log((8 - 5 + 0.5) / (5 + 0.5))).toBeLessThan(0);
    const hits = common.query('email', { limit: 10 });
    expect(hits).toHaveLength(5);
    for (const hit of hits) expect(hit.score).toBeGreaterThan(0);
  });

  it('applies the filter before the top-k cut', () => {
    const hits = index.query('email message', { limit: 2, filter: (id) => id !== 'd5' && id !== 'd3' });
    expect(hits.map((hit) => hit.id)).toEqual(['d4']);
    const unfiltered = index.query('email message', { limit: 2 });
    expect(unfiltered.map((hit) => hit.id)).not.toContain('d4');
  });
});

describe('a compound written as two words', () => {
  const index = new LexicalIndex();
  const tools: Record<string, { name: string; description: string }> = {
    oncall: { name: 'list_oncalls', description: 'Who is on-call for each escalation policy' },
    calls: { name: 'list_calls', description: 'Phone calls placed from the account' },
    supernet: { name: 'ofa_supernet', description: 'Once-for-all image network' },
    dogs: { name: 'dog_breeds', description: 'Classifies the breed of a dog in a photo' },
  };
  for (const [id, tool] of Object.entries(tools)) index.upsert({ id, server: '', ...tool, title: '', params: '' });
  const ranked = (query: string) => index.query(query, { limit: 4 }).map((hit) => hit.id);

  it('meets the tool that writes it as one word: "on call" finds list_oncalls before list_calls', () => {
    expect(queryTerms('who is on call for payments')).toContain(searchTerms('oncalls')[0]);
    expect(ranked('who is on call for payments')).toEqual(['oncall', 'calls']);
  });

  it('never joins two stop words: "breed of a dog" does not meet "ofa"', () => {
    expect(queryTerms('breed of a dog').some((term) => term.startsWith('ofa'))).toBe(false);
    expect(ranked('the breed of a dog')).toEqual(['dogs']);
  });
});
