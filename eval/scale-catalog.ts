import type { EvalDataset, EvalQuery, EvalTool } from '../src/eval/dataset-format.js';
import { toolContentHash } from '../src/catalog/tool-hash.js';
import { deterministicOrder } from '../src/eval/sample.js';

export interface ScaleSetup {
  /** The queries kept fixed at every size. */
  readonly queries: EvalQuery[];
  /** Every tool a kept query needs: part of every catalog size. */
  readonly gold: EvalTool[];
  /** Distractors in the order they join: the query dataset's other tools first, then the other datasets'. */
  readonly distractors: EvalTool[];
}

/** Tool and query ids carry their dataset's name, so pooled datasets cannot collide. */
function prefixed(dataset: EvalDataset): EvalDataset {
  const id = (raw: string): string => `${dataset.name}/${raw}`;
  return {
    name: dataset.name,
    tools: dataset.tools.map((tool) => ({ ...tool, id: id(tool.id) })),
    queries: dataset.queries.map((query) => ({ ...query, id: id(query.id), relevant: query.relevant.map(id) })),
  };
}

/**
 * Picks up to `maxQueries` queries of `base` (in a fixed shuffled order) whose relevant tools together stay within
 * `goldBudget`, so the smallest catalog still holds every relevant tool plus distractors.
 */
export function scaleSetup(
  base: EvalDataset,
  others: readonly EvalDataset[],
  options: { readonly maxQueries: number; readonly goldBudget: number },
): ScaleSetup {
  const own = prefixed(base);
  const goldIds = new Set<string>();
  const queries: EvalQuery[] = [];
  for (const query of deterministicOrder(own.queries)) {
    if (queries.length === options.maxQueries) break;
    const added = query.relevant.filter((id) => !goldIds.has(id));
    if (goldIds.size + added.length > options.goldBudget) continue;
    added.forEach((id) => goldIds.add(id));
    queries.push(query);
  }
  const gold = own.tools.filter((tool) => goldIds.has(tool.id));
  const ownDistractors = deterministicOrder(own.tools.filter((tool) => !goldIds.has(tool.id)));
  // Datasets can share tools (MetaTool's single- and multi-tool sets share one catalog): each content counts once.
  const seen = new Set(own.tools.map((tool) => toolContentHash(tool)));
  const foreign = deterministicOrder(others.flatMap((dataset) => prefixed(dataset).tools)).filter((tool) => {
    const hash = toolContentHash(tool);
    if (seen.has(hash)) return false;
    seen.add(hash);
    return true;
  });
  return { queries, gold, distractors: [...ownDistractors, ...foreign] };
}

/** The catalog of `size` tools: all gold tools, then distractors in order. */
export function catalogOfSize(setup: ScaleSetup, size: number): EvalTool[] {
  return [...setup.gold, ...setup.distractors.slice(0, Math.max(0, size - setup.gold.length))];
}

/** A requested catalog size the setup cannot give: every catalog holds the gold tools and at most every tool pooled. */
export interface AdjustedSize {
  readonly requested: number;
  readonly measured: number;
}

/** The catalog sizes a sweep measures for the requested ones, each once, and the requests that had to change. */
export function measuredSizes(setup: ScaleSetup, requested: readonly number[]): { sizes: number[]; adjusted: AdjustedSize[] } {
  const sizes: number[] = [];
  const adjusted: AdjustedSize[] = [];
  for (const size of requested) {
    const measured = catalogOfSize(setup, size).length;
    if (measured !== size) adjusted.push({ requested: size, measured });
    if (!sizes.includes(measured)) sizes.push(measured);
  }
  return { sizes, adjusted };
}
