import { UsageHistory } from '../retrieval/usage-history.js';
import type { EvalQuery } from './dataset-format.js';
import { deterministicOrder } from './sample.js';

export interface HistorySplit {
  /** Treated as past use: each of its relevant tools recorded as chosen for it. */
  readonly history: UsageHistory;
  readonly pastQueries: number;
  /** What is evaluated, in the original order. */
  readonly rest: EvalQuery[];
}

/**
 * `toolscope eval --history FRACTION`: a deterministic `fraction` of the labelled queries (by hash of their id, so the
 * same queries on every run) becomes past use, and evaluation runs on the rest only, so no query sees its own label.
 */
export function splitHistory(queries: readonly EvalQuery[], fraction: number): HistorySplit {
  if (!(fraction >= 0 && fraction < 1)) throw new RangeError(`history fraction must be at least 0 and below 1, got ${fraction}`);
  const past = new Set(deterministicOrder(queries, 'toolscope-history').slice(0, Math.round(fraction * queries.length)));
  const records = [...past].flatMap((query) => query.relevant.map((tool) => ({ query: query.query, tool, at: '' })));
  return {
    history: new UsageHistory(records, Math.max(records.length, 1)),
    pastQueries: past.size,
    rest: queries.filter((query) => !past.has(query)),
  };
}
