/**
 * Ranking metrics for one query with binary relevance: `ranked` is the retriever's list of tool ids, best first;
 * `relevant` the tools a correct answer needs. All return fractions in 0..1.
 */

/** Fraction of the relevant tools found in the top k. */
export function recallAtK(ranked: readonly string[], relevant: ReadonlySet<string>, k: number): number {
  return countRelevant(ranked.slice(0, k), relevant) / relevant.size;
}

/** 1 when every relevant tool is in the top k, else 0. */
export function completeAtK(ranked: readonly string[], relevant: ReadonlySet<string>, k: number): number {
  return countRelevant(ranked.slice(0, k), relevant) === relevant.size ? 1 : 0;
}

/** Normalised DCG with gain 1 per relevant tool; the ideal ranking puts min(k, |relevant|) relevant tools first. */
export function ndcgAtK(ranked: readonly string[], relevant: ReadonlySet<string>, k: number): number {
  let dcg = 0;
  ranked.slice(0, k).forEach((id, index) => {
    if (relevant.has(id)) dcg += discount(index);
  });
  let ideal = 0;
  for (let index = 0; index < Math.min(k, relevant.size); index += 1) ideal += discount(index);
  return dcg / ideal;
}

/** 1 / rank of the first relevant tool in the list, 0 when none is listed. */
export function reciprocalRank(ranked: readonly string[], relevant: ReadonlySet<string>): number {
  const index = ranked.findIndex((id) => relevant.has(id));
  return index < 0 ? 0 : 1 / (index + 1);
}

export function mean(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

/** Nearest-rank percentile (p in 0..100) of unsorted samples. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] as number;
}

function countRelevant(ids: readonly string[], relevant: ReadonlySet<string>): number {
  return new Set(ids.filter((id) => relevant.has(id))).size;
}

/** Rank position r (0-based) earns 1 / log2(r + 2). */
function discount(index: number): number {
  return 1 / Math.log2(index + 2);
}
