import { standardized } from './hybrid.js';
import type { ScoredTool } from './types.js';

/**
 * The step every later ranking stage shares: `candidates` reordered by the first stage's score as a z-score over
 * `ranked` (so a lift is in standard deviations, whatever the first stage) plus each one's lift, the best `limit`
 * kept. A candidate `ranked` does not hold (drawn in from elsewhere) starts from 0, the mean: the first stage did not
 * rank it, for better or worse.
 */
export function liftedRanking(
  ranked: readonly ScoredTool[],
  candidates: readonly ScoredTool[],
  lift: (hit: ScoredTool) => number,
  limit: number,
): ScoredTool[] {
  const scores = standardized(ranked);
  return candidates
    .map((hit) => ({ ...hit, score: (scores.get(hit.id) ?? 0) + lift(hit) }))
    .sort((a, b) => b.score - a.score)
    .slice(0, limit);
}
