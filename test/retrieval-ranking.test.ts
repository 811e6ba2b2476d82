import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CatalogTool } from '../src/catalog/tool.js';
import { DEFAULT_TRANSFORMERS_DTYPE, DEFAULT_TRANSFORMERS_MODEL, loadEmbedder, type Embedder } from '../src/embedding/index.js';
import { toCatalogTool } from '../src/catalog/catalog.js';
import { loadEvalDataset } from '../src/eval/load-dataset.js';
import { toIndexableTool as evalTool } from '../src/eval/run-eval.js';
import { toIndexableTool } from '../src/retrieval/catalog-sync.js';
import { retrievalSchema } from '../src/config/retrieval.js';
import {
  confidence,
  confidenceFeatures,
  confidenceModel,
  denseReference,
  GOOD_MATCH,
  lexicalReference,
  requestConfidence,
  stepsWithoutGoodMatch,
} from '../src/retrieval/confidence.js';
import { impliedDomain } from '../src/retrieval/action-lexicon.js';
import { preferringReplacements, replacementName } from '../src/retrieval/deprecation.js';
import { FUSION_CANDIDATES } from '../src/retrieval/hybrid.js';
import { ToolIndex } from '../src/retrieval/tool-index.js';
import { UsageHistory } from '../src/retrieval/usage-history.js';
import { realServerTools, recordingLogger, tempDir } from './support/retrieval.js';

/** The ranking stages over the real filesystem, memory and everything servers' tools (no server descriptions). */
let tools: CatalogTool[];
let useLite: Embedder;
let state: { path: string; remove: () => Promise<void> };
let index: ToolIndex;

const ids = (hits: Array<{ id: string }>) => hits.map((hit) => hit.id);

beforeAll(async () => {
  [tools, useLite, state] = await Promise.all([realServerTools(), loadEmbedder({ backend: 'use-lite' }, recordingLogger()), tempDir()]);
  index = await ToolIndex.build(tools.map((tool) => toIndexableTool(tool)), { embedder: useLite, stateDir: state.path });
});

afterAll(() => state.remove());

describe('the domain a verb implies', () => {
  it('lifts the memory tools for "remember …" and "forget …" with every first stage, reranker or not', async () => {
    for (const kind of ['bm25', 'dense', 'hybrid'] as const) {
      for (const query of ['remember that Alice works at Acme', 'forget Alice entirely']) {
        const ranked = ids(await index.retriever(kind).search(query, { limit: 5 }));
        expect(ranked[0], `${kind} "${query}": ${ranked.join(' ')}`).toMatch(/^memory__/);
      }
    }
  });

  it('reads a verb, not the same word as a noun: "leave a note" implies nothing, "note that …" a memory', () => {
    expect(impliedDomain('leave a note on gitlab issue 77 saying I can reproduce')).toBeUndefined();
    expect(impliedDomain('drop them a note that the PO went through')).toBeUndefined();
    expect(impliedDomain('note that Alice now prefers async standups')).toEqual({ terms: ['memory'], action: 'create' });
  });

  it('reads what the verb asks of the domain: remembering adds, forgetting deletes, what "you remember" is read', () => {
    expect(impliedDomain('remember that Alice works at Acme')).toEqual({ terms: ['memory', 'store'], action: 'create' });
    expect(impliedDomain('can you remember that Alice works at Acme')?.action).toBe('create');
    expect(impliedDomain('forget Alice entirely')?.action).toBe('delete');
    expect(impliedDomain('recall what we know about Bob')?.action).toBe('read');
    expect(impliedDomain('what do you remember about everyone?')).toEqual({ terms: ['memory', 'store'], action: 'read' });
    expect(impliedDomain('look up what you remember about the Phoenix project')?.action).toBe('read');
  });

  it('ranks the domain\'s tools that do what the verb asks first, with every first stage and no reranker', async () => {
    const expected = [
      { query: 'remember that Alice works at Acme', first: /^memory__(create|add)_/ },
      { query: 'remember my favourite colour is blue', first: /^memory__(create|add)_/ },
      { query: 'forget Alice entirely', first: /^memory__delete_/ },
      { query: 'what do you remember about Alice?', first: /^memory__(read|search|open)_/ },
    ];
    for (const kind of ['bm25', 'dense', 'hybrid'] as const) {
      for (const { query, first } of expected) {
        const ranked = ids(await index.retriever(kind).search(query, { limit: 8 }));
        // The first two places go to tools doing what the verb asks, whichever the first stage preferred.
        expect(ranked.slice(0, 2).filter((id) => first.test(id)), `${kind} "${query}": ${ranked.join(' ')}`).toHaveLength(2);
      }
    }
  });

  it('reports a tool doing what the verb asks in its domain as at least a good match, whatever its word similarity', async () => {
    const model = confidenceModel('hybrid', useLite.id);
    const [best] = await index.retriever('hybrid').search('remember that Alice works at Acme', { limit: 3 });
    expect(best!.signals?.doesImpliedAction).toBe(true);
    expect(confidence(best!.signals, model)).toBeGreaterThanOrEqual(GOOD_MATCH);
    expect(confidence({ ...best!.signals, doesImpliedAction: false }, model)).toBeLessThan(GOOD_MATCH);
  });

  it('reads no request in a negated verb: "so we dont forget" asks for what comes before it', async () => {
    for (const query of ["write that up as an issue so we don't forget", 'file it so we dont forget', 'I never remember which repo', 'do not forget to']) {
      expect(impliedDomain(query), query).toBeUndefined();
    }
    for (const kind of ['bm25', 'hybrid'] as const) {
      const ranked = ids(await index.retriever(kind).search('list the files in the docs folder so we dont forget any', { limit: 5 }));
      expect(ranked[0], `${kind}: ${ranked.join(' ')}`).toBe('filesystem__list_directory');
      expect(ranked.filter((id) => id.startsWith('memory__')), kind).toEqual([]);
    }
  });
});

describe('a server the request names', () => {
  it('lifts that server\'s tools on the MCP catalog, whose descriptions seldom say their server\'s name (BM25)', async () => {
    const { dataset } = await loadEvalDataset('datasets/mcp-catalog/catalog.jsonl', 'datasets/mcp-catalog/queries.jsonl');
    const catalog = await ToolIndex.build(dataset.tools.map(evalTool), { stateDir: state.path });
    // Labelled requests each of which BM25 alone missed at 5: another server's tools said more of their words.
    for (const id of ['near-miss-rw-044', 'near-miss-rw-018', 'near-miss-svc-002', 'paraphrase-095', 'reference-direct-005']) {
      const { query, relevant } = dataset.queries.find((labelled) => labelled.id === id)!;
      const ranked = ids(await catalog.retriever('bm25').search(query, { limit: 5 }));
      expect(ranked, `${query}: ${ranked.join(' ')}`).toContain(relevant[0]);
    }
  });

  it('reads a server\'s whole name, in order: "google calendar" names google-calendar, "calendar" alone does not', async () => {
    const calendars = [
      toCatalogTool('google-calendar', { name: 'create-event', description: 'Creates an event', inputSchema: { type: 'object' } }),
      toCatalogTool('outlook', { name: 'create-calendar-event', description: 'Creates a calendar event', inputSchema: { type: 'object' } }),
    ];
    const withCalendars = await ToolIndex.build([...tools, ...calendars].map((tool) => toIndexableTool(tool)), { stateDir: state.path });
    const top = async (query: string) => ids(await withCalendars.retriever('bm25').search(query, { limit: 5 }))[0];
    expect(await top('create a google calendar event for friday')).toBe('google-calendar__create-event');
    expect(await top('create a calendar event for friday')).toBe('outlook__create-calendar-event');
  });
});

describe('second-stage reranker', () => {
  it('ranks the memory create/add tools above every delete tool for "remember that Alice works at Acme"', async () => {
    for (const kind of ['bm25', 'hybrid'] as const) {
      const ranked = ids(await index.retriever(kind, { rerank: true }).search('remember that Alice works at Acme', { limit: 10 }));
      const adding = ['memory__create_entities', 'memory__create_relations', 'memory__add_observations'].map((id) => ranked.indexOf(id));
      expect(Math.min(...adding), `${kind}: ${ranked.join(' ')}`).toBe(0);
      const firstDelete = ranked.findIndex((id) => id.startsWith('memory__delete'));
      expect(adding.filter((at) => at >= 0 && (firstDelete < 0 || at < firstDelete)).length, kind).toBeGreaterThanOrEqual(2);
    }
  });


  it('keeps the caller filter: a delete-only filter still answers with delete tools', async () => {
    const onlyDeletes = (id: string) => id.startsWith('memory__delete');
    const ranked = ids(await index.retriever('hybrid', { rerank: true }).search('remember that Alice works at Acme', { limit: 5, filter: onlyDeletes }));
    expect(ranked.length).toBeGreaterThan(0);
    expect(ranked.every(onlyDeletes)).toBe(true);
  });

  it('ranks requests whose words name Object.prototype members ("constructor", "toString") like any other', async () => {
    // These words once reached the verb lexicon's object literal and crashed the search (a StableToolBench query).
    const ranked = ids(await index.retriever('hybrid', { rerank: true }).search('find the constructor of a toString valueOf in a file', { limit: 5 }));
    expect(ranked.length).toBe(5);
  });
});

describe('deprecated tools', () => {
  it('reads the replacement a real deprecated tool names', () => {
    const readFile = tools.find((tool) => tool.exposedName === 'filesystem__read_file')!;
    expect(replacementName(toIndexableTool(readFile))).toBe('read_text_file');
  });

  it('never rank filesystem__read_file above its replacement read_text_file, with every stage', async () => {
    for (const query of ['read a file', 'read the contents of notes.txt', 'read file']) {
      for (const kind of ['bm25', 'dense', 'hybrid'] as const) {
        for (const rerank of [false, true]) {
          const ranked = ids(await index.retriever(kind, { rerank }).search(query, { limit: 5 }));
          const replacement = ranked.indexOf('filesystem__read_text_file');
          const deprecated = ranked.indexOf('filesystem__read_file');
          if (deprecated >= 0) expect(replacement, `${kind} rerank=${rerank} "${query}": ${ranked.join(' ')}`).toBeGreaterThanOrEqual(0);
          if (deprecated >= 0) expect(replacement).toBeLessThan(deprecated);
        }
      }
    }
  });

  it('gives a replacement it draws in the signals of the place it takes, so its confidence is not read as no match', async () => {
    // BM25 ranks the deprecated read_file first for this request; alone in the answer, its replacement is drawn in.
    const retriever = index.retriever('bm25', { decompose: false });
    const [best] = await retriever.search('read the contents of a file', { limit: 1 });
    expect(best!.id).toBe('filesystem__read_text_file');
    const ranked = await retriever.search('read the contents of a file', { limit: FUSION_CANDIDATES });
    expect(ranked.findIndex(({ id }) => id === 'filesystem__read_file')).toBe(1);
    expect(best!.signals).toEqual(ranked.find(({ id }) => id === 'filesystem__read_file')!.signals);
  });

  it('gives a replacement it moves up the signals of the place it takes, so the deprecated tool after it never reads as the better match', async () => {
    const byId = new Map(tools.map((tool) => [tool.exposedName, toIndexableTool(tool)]));
    const strong = { lexical: 9, dense: 0.7, lexicalFifth: 2, denseMean: 0.3 };
    const weak = { lexical: 1, dense: 0.4, lexicalFifth: 2, denseMean: 0.3 };
    const firstStage = [
      { id: 'filesystem__read_file', score: 3, signals: strong },
      { id: 'filesystem__list_directory', score: 2, signals: weak },
      { id: 'filesystem__read_text_file', score: 1, signals: weak },
    ];
    const retriever = preferringReplacements({
      base: { name: 'first-stage', search: async () => firstStage },
      tool: (id) => byId.get(id),
      idOf: (server, name) => (byId.has(`${server}__${name}`) ? `${server}__${name}` : undefined),
    });
    const ranked = await retriever.search('read a file', { limit: 5 });
    expect(ids(ranked)).toEqual(['filesystem__read_text_file', 'filesystem__read_file', 'filesystem__list_directory']);
    expect(ranked[0]).toMatchObject({ score: 3, signals: strong });
  });

  it('draws the replacement in only when the caller may use it', async () => {
    const noReplacement = (id: string) => id !== 'filesystem__read_text_file';
    const ranked = ids(await index.retriever('bm25').search('read a file', { limit: 5, filter: noReplacement }));
    expect(ranked).toContain('filesystem__read_file');
    expect(ranked).not.toContain('filesystem__read_text_file');
  });
});

describe('multi-step requests', () => {
  it('come back round by round: the whole request\'s best, then step 1\'s, step 2\'s, and so on, each naming its step', async () => {
    const request = 'search for files named report, then create a directory called archive';
    const steps = ['search for files named report', 'create a directory called archive'];
    const single = index.retriever('hybrid', { decompose: false });
    const [whole, first, second] = await Promise.all([request, ...steps].map((text) => single.search(text, { limit: 6 })));
    const hits = await index.retriever('hybrid').search(request, { limit: 6 });
    // The first round, a tool already taken not repeated.
    const firstRound = [...new Set([whole![0]!.id, first![0]!.id, second![0]!.id])];
    expect(ids(hits).slice(0, firstRound.length)).toEqual(firstRound);
    expect(ids(hits)).toContain('filesystem__search_files');
    expect(ids(hits)).toContain('filesystem__create_directory');
    expect(hits.find((hit) => hit.id === 'filesystem__search_files')!.step).toBe(1);
    expect(hits.find((hit) => hit.id === 'filesystem__create_directory')!.step).toBe(2);
    expect(hits.every((hit) => hit.step === 0 || hit.step === 1 || hit.step === 2)).toBe(true);
  });
});

describe('learning from use', () => {
  it('boosts the tool chosen before for a similar request, and leaves unrelated requests alone', async () => {
    const query = 'jot down that the meeting moved to Friday';
    const plain = ids(await index.retriever('hybrid').search(query, { limit: 5 }));
    expect(plain[0]).not.toBe('memory__add_observations');
    const history = new UsageHistory([{ query: 'jot down that the meeting moved to Monday', tool: 'memory__add_observations', at: '' }]);
    const learned = ids(await index.retriever('hybrid', { history }).search(query, { limit: 5 }));
    expect(learned[0]).toBe('memory__add_observations');
    const unrelated = 'write text to a file';
    expect(ids(await index.retriever('hybrid', { history }).search(unrelated, { limit: 5 }))).toEqual(
      ids(await index.retriever('hybrid').search(unrelated, { limit: 5 })),
    );
  });

  it('does not carry a choice over to a request for another kind of action', async () => {
    const history = new UsageHistory([{ query: 'note that the meeting moved to Monday', tool: 'memory__add_observations', at: '' }]);
    const sameKind = 'note that the meeting moved to Friday';
    expect(ids(await index.retriever('hybrid', { history }).search(sameKind, { limit: 5 }))[0]).toBe('memory__add_observations');
    // Similar words, but a request to delete: the tool that adds stays where the first stage put it.
    const otherKind = 'delete the note that the meeting moved to Monday';
    expect(history.chosenFor(otherKind).has('memory__add_observations')).toBe(true);
    expect(ids(await index.retriever('hybrid', { history }).search(otherKind, { limit: 5 }))).toEqual(
      ids(await index.retriever('hybrid').search(otherKind, { limit: 5 })),
    );
  });

  it('counts a past request as alike only when they share words that are rare among past requests', () => {
    const history = new UsageHistory(
      ['social support', 'crime rates', 'school ratings', 'air quality'].map((topic) => ({
        query: `get information about ${topic} in your state`,
        tool: topic.replace(' ', '_'),
        at: '',
      })),
    );
    // Half its words are in a past request ("information", "state"), but every past request has those.
    expect(history.chosenFor('information about the GDP of the state')).toEqual(new Map());
    expect([...history.chosenFor('information about social support in the state').keys()]).toEqual(['social_support']);
  });

  it('keeps at most maxRecords, the newest, and no longer finds the requests it let go', () => {
    const history = new UsageHistory([], 2);
    for (const n of [1, 2, 3]) history.add({ query: `request number ${n}`, tool: `t${n}`, at: '' });
    expect(history.all().map((record) => record.tool)).toEqual(['t2', 't3']);

    const kept = new UsageHistory([], 2);
    const requests = ['rotate the signing keys', 'archive old invoices', 'translate the release notes'];
    requests.forEach((query, n) => kept.add({ query, tool: `t${n + 1}`, at: '' }));
    expect(kept.chosenFor('rotate the signing keys')).toEqual(new Map());
    expect(kept.chosenFor('archive old invoices')).toEqual(new Map([['t2', 1]]));
  });
});

/** The shipped default model, when `npm run models:offline` has built it here (CI never downloads one). */
const BUILT_MODELS = join(import.meta.dirname, '..', 'models');
const DEFAULT_EMBEDDER_ID = `transformers:${DEFAULT_TRANSFORMERS_MODEL}:${DEFAULT_TRANSFORMERS_DTYPE}`;
const defaultModelBuilt = existsSync(join(BUILT_MODELS, DEFAULT_TRANSFORMERS_MODEL, 'onnx', 'model_quantized.onnx'));

describe('confidence', () => {
  it('is low when nothing in the catalog does what is asked, and high for a plain match', async () => {
    await expectConfidenceSeparates(index, useLite.id);
  });

  it("has a model fitted for the shipped default embedder, reading its cosine and how far each score stands out, apart from use-lite's", () => {
    const shipped = confidenceModel('hybrid', DEFAULT_EMBEDDER_ID);
    expect(shipped).not.toEqual(confidenceModel('bm25', DEFAULT_EMBEDDER_ID));
    expect(shipped.lexical).toBeGreaterThan(0);
    // The cosine counts through both weights: (dense + denseLead) for the tool's own, -denseLead for the candidates' mean.
    expect(shipped.dense! + shipped.denseLead!).toBeGreaterThan(0);
    expect(shipped.denseLead).toBeGreaterThan(0);
    expect(shipped.lexicalLead).toBeGreaterThan(0);
    expect(confidenceModel('bm25', undefined).lexicalLead).toBeGreaterThan(0);
    expect(confidenceModel('bm25', undefined)).not.toHaveProperty('dense');
    expect(shipped).not.toEqual(confidenceModel('hybrid', useLite.id));
    // Dense rankings carry cosines only: each embedder's dense model reads them, not the BM25 score.
    for (const id of [DEFAULT_EMBEDDER_ID, useLite.id]) {
      const dense = confidenceModel('dense', id);
      expect(dense.denseLead, id).toBeGreaterThan(0);
      expect(dense.lexical, id).toBe(0);
    }
  });

  it("measures a tool's scores against the other candidates of the same search", () => {
    const candidates = (...scores: number[]) => scores.map((score, i) => ({ id: `t${i}`, score }));
    expect(lexicalReference(candidates(20, 9, 8, 7, 3, 1))).toEqual({ lexicalFifth: 3 });
    expect(lexicalReference(candidates(20, 9))).toEqual({ lexicalFifth: 0 });
    expect(denseReference(candidates(0.6, 0.4, 0.2)).denseMean).toBeCloseTo(0.4, 9);
    expect(denseReference([])).toEqual({});
    const features = confidenceFeatures({ lexical: 20, lexicalFifth: 3, dense: 0.6, denseMean: 0.4 });
    expect(features.lexical).toBeCloseTo(Math.log(21), 9);
    expect(features.dense).toBe(0.6);
    expect(features.lexicalLead).toBeCloseTo(Math.log(21) - Math.log(4), 9);
    expect(features.denseLead).toBeCloseTo(0.2, 9);
    // A tool neither side ranked: nothing to stand on.
    expect(confidenceFeatures(undefined)).toEqual({ lexical: 0, dense: 0, lexicalLead: 0, denseLead: 0 });
  });

  it("rates a search by the whole request's best result, or by the weakest action's best when every action's is better", () => {
    expect(stepsWithoutGoodMatch([{ confidence: 0.7, step: 1 }, { confidence: 0.05, step: 2 }, { confidence: 0.01, step: 3 }, { confidence: 0.3, step: 1 }])).toEqual([2, 3]);
    expect(stepsWithoutGoodMatch([{ confidence: 0.01 }, { confidence: 0.02 }])).toEqual([]);
    expect(requestConfidence([])).toBeUndefined();
    // One action: the most confident result, wherever it ranks.
    expect(requestConfidence([{ confidence: 0.3 }, { confidence: 0.6 }, { confidence: 0.1 }])).toBe(0.6);
    // A confident first result is not undone by a step no tool serves ("Please be quick about it.").
    expect(requestConfidence([{ confidence: 0.7, step: 1 }, { confidence: 0.05, step: 2 }, { confidence: 0.3, step: 1 }])).toBe(0.7);
    // A weak first result, but each action found a good tool of its own.
    expect(requestConfidence([{ confidence: 0.1, step: 0 }, { confidence: 0.5, step: 1 }, { confidence: 0.4, step: 2 }])).toBe(0.4);
    // Weak on both counts.
    expect(requestConfidence([{ confidence: 0.1, step: 1 }, { confidence: 0.05, step: 2 }, { confidence: 0.08, step: 2 }])).toBe(0.1);
  });

  it('calls the same raw scores a good match when they stand out from the rest of the search, and none when all candidates score alike', () => {
    const raw = { lexical: 40, dense: 0.65 };
    const standsOut = { ...raw, lexicalFifth: 3, denseMean: 0.25 };
    const crowded = { ...raw, lexicalFifth: 40, denseMean: 0.6 };
    for (const model of [confidenceModel('hybrid', DEFAULT_EMBEDDER_ID), confidenceModel('hybrid', useLite.id), confidenceModel('bm25', undefined)]) {
      expect(confidence(standsOut, model), JSON.stringify(model)).toBeGreaterThanOrEqual(GOOD_MATCH);
      expect(confidence(crowded, model), JSON.stringify(model)).toBeLessThan(GOOD_MATCH);
    }
  });

  it('reads the references of a full search whatever the limit, with every retriever kind', async () => {
    const query = 'write text to a file';
    const search = (kind: 'bm25' | 'dense' | 'hybrid', limit: number) => index.retriever(kind, { decompose: false }).search(query, { limit });
    const [lexical, dense] = await Promise.all([search('bm25', FUSION_CANDIDATES), search('dense', FUSION_CANDIDATES)]);
    const { lexicalFifth } = lexical[0]!.signals!;
    const { denseMean } = dense[0]!.signals!;
    expect(lexicalFifth).toBe(lexical[4]!.score);
    expect(denseMean).toBeGreaterThan(Math.min(...dense.map(({ score }) => score)));
    expect(denseMean).toBeLessThan(dense[0]!.score);
    expect(lexical.every(({ signals }) => signals?.lexicalFifth === lexicalFifth)).toBe(true);
    expect(dense.every(({ signals }) => signals?.denseMean === denseMean)).toBe(true);
    expect((await search('bm25', 1))[0]!.signals).toEqual(lexical[0]!.signals);
    expect((await search('dense', 1))[0]!.signals).toEqual(dense[0]!.signals);
    expect((await search('hybrid', 1))[0]!.signals).toMatchObject({ lexicalFifth, denseMean });
  });

  it.skipIf(!defaultModelBuilt)('separates the same requests with the real default model (models/ built by npm run models:offline)', async () => {
    const shipped = await loadEmbedder(
      { backend: 'transformers', modelDir: BUILT_MODELS, allowRemoteModels: false },
      recordingLogger(),
    );
    expect(shipped.id).toBe(DEFAULT_EMBEDDER_ID);
    const own = await tempDir();
    try {
      await expectConfidenceSeparates(
        await ToolIndex.build(tools.map((tool) => toIndexableTool(tool)), { embedder: shipped, stateDir: own.path }),
        shipped.id,
        // use-lite gives this one 0.19: its cosines are flatter.
        [...PLAIN_REQUESTS, 'read the contents of a file'],
      );
    } finally {
      await own.remove();
    }
  });
});

describe('ranking config', () => {
  it('has the reranker off and learning off by default, the hijack check on, and refuses unknown keys', () => {
    const defaults = retrievalSchema.parse({});
    expect(defaults.rerank).toBe(false);
    expect(defaults.learning).toEqual({ enabled: false, maxRecords: 5000 });
    expect(defaults.hijackCheck).toEqual({ enabled: true, minRequests: 3, share: 0.3 });
    expect(retrievalSchema.parse({ rerank: true }).rerank).toBe(true);
    expect(retrievalSchema.safeParse({ learning: { enabled: true, maxRecords: 0 } }).success).toBe(false);
    expect(retrievalSchema.safeParse({ hijackCheck: { threshold: 2 } }).success).toBe(false);
  });
});

/** Requests nothing in the filesystem, memory and everything servers does, and requests one of their tools plainly does. */
const UNRELATED_REQUESTS = [
  'bake a chocolate cake for the birthday party',
  'book a flight from Berlin to Lisbon for next Tuesday',
  'what will the weather be in Oslo tomorrow',
  'send an SMS to my mother',
  'order a pizza with extra cheese',
];
const PLAIN_REQUESTS = [
  'list the files in a directory',
  'create a new directory',
  'write text to a file',
  'move a file to another folder',
  'add an observation about Alice to the knowledge graph',
  'add two numbers',
];

/**
 * Says "no good match" for every unrelated request and a good match for every plain one, through `index`'s hybrid.
 * The raw-score models said "no good match" to several plain ones ("add two numbers": 0.12 with use-lite, 0.17 with
 * MiniLM).
 */
async function expectConfidenceSeparates(searched: ToolIndex, embedderId: string, plainRequests = PLAIN_REQUESTS): Promise<void> {
  const model = confidenceModel('hybrid', embedderId);
  const retriever = searched.retriever('hybrid', { decompose: false });
  const best = async (request: string) => {
    const [found] = await retriever.search(request, { limit: 1 });
    return { request, tool: found!.id, confidence: confidence(found!.signals, model) };
  };
  const unrelated = await Promise.all(UNRELATED_REQUESTS.map(best));
  const plain = await Promise.all(plainRequests.map(best));
  for (const found of unrelated) expect(found.confidence, JSON.stringify(found)).toBeLessThan(GOOD_MATCH);
  for (const found of plain) expect(found.confidence, JSON.stringify(found)).toBeGreaterThanOrEqual(GOOD_MATCH);
}
