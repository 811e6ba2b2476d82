import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { splitHistory } from '../src/eval/history-split.js';
import { evaluateDataset } from '../src/eval/evaluate.js';
import { loadEvalDataset } from '../src/eval/load-dataset.js';
import { runEvaluation } from '../src/eval/run-eval.js';
import { tempDir } from './support/temp-dir.js';

/** `toolscope eval --history FRACTION` on toolscope's own catalog, with BM25 (no model needed). */
const DATASET = fileURLToPath(new URL('../datasets/mcp-catalog/', import.meta.url));
const files = { catalogFile: join(DATASET, 'catalog.jsonl'), queriesFile: join(DATASET, 'queries.jsonl') };
let state: Awaited<ReturnType<typeof tempDir>>;

beforeAll(async () => {
  state = await tempDir();
});
afterAll(() => state.remove());

describe('eval --history', () => {
  it('splits the labelled queries deterministically and never evaluates a query taken as past use', async () => {
    const { dataset } = await loadEvalDataset(files.catalogFile, files.queriesFile, { skipBad: false });
    const first = splitHistory(dataset.queries, 0.5);
    const again = splitHistory(dataset.queries, 0.5);
    expect(first.pastQueries).toBe(Math.round(dataset.queries.length / 2));
    expect(first.rest.map((query) => query.id)).toEqual(again.rest.map((query) => query.id));
    // Past and rest partition the queries: every past query's labels are in the history, no rest query is.
    expect(first.rest.length + first.pastQueries).toBe(dataset.queries.length);
    const restIds = new Set(first.rest.map((query) => query.id));
    const pastLabels = dataset.queries.filter((query) => !restIds.has(query.id)).reduce((sum, query) => sum + query.relevant.length, 0);
    expect(first.history.size).toBe(pastLabels);
    expect(() => splitHistory(dataset.queries, 1)).toThrow(/below 1/);
  });

  it('learning from the past half raises recall@5 on the rest (mcp-catalog repeats intents) and the report says so', async () => {
    const { dataset } = await loadEvalDataset(files.catalogFile, files.queriesFile, { skipBad: false });
    const split = splitHistory(dataset.queries, 0.5);
    const rest = { ...dataset, queries: split.rest };
    const options = { retrievers: ['bm25'] as const, ks: [5], stateDir: state.path };
    const without = await runEvaluation(rest, options);
    const learned = await runEvaluation(rest, { ...options, history: split.history });
    const recall = (run: typeof learned) => run.results[0]!.metrics['recall@5']!;
    expect(recall(learned)).toBeGreaterThan(recall(without));

    const { report } = await evaluateDataset({ ...files, retrievers: ['bm25'], ks: [5], stateDir: state.path, historyFraction: 0.5 });
    expect(report.history).toMatchObject({ fraction: 0.5, pastQueries: split.pastQueries });
    expect(report.queryCount).toBe(split.rest.length);
    expect(report.results[0]!.metrics['recall@5']).toBeCloseTo(recall(learned), 10);
    // The baseline the gain is measured against: the same held-out queries without the history, in the same report.
    expect(report.history!.withoutHistory![0]!.metrics['recall@5']).toBeCloseTo(recall(without), 10);
  });
});
