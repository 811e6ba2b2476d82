import { describe, expect, it } from 'vitest';
import type { EvalDataset, EvalTool } from '../src/eval/dataset-format.js';
import { catalogOfSize, measuredSizes, scaleSetup } from '../eval/scale-catalog.js';

const tool = (id: string, description = `does ${id}`): EvalTool => ({
  id,
  server: 's',
  name: id,
  description,
  inputSchema: { type: 'object', properties: {} },
});

const base: EvalDataset = {
  name: 'base',
  tools: Array.from({ length: 10 }, (_, i) => tool(`t${i}`)),
  queries: Array.from({ length: 10 }, (_, i) => ({ id: `q${i}`, query: `query ${i}`, relevant: [`t${i}`, `t${(i + 1) % 10}`] })),
};
const other: EvalDataset = {
  name: 'other',
  // o0 has the same content as base's t0: it must not be added twice.
  tools: [tool('t0'), ...Array.from({ length: 5 }, (_, i) => tool(`o${i + 1}`))],
  queries: [],
};

describe('scale sweep catalogs', () => {
  it('keeps queries whose relevant tools fit the gold budget and prefixes ids with the dataset', () => {
    const setup = scaleSetup(base, [other], { maxQueries: 10, goldBudget: 4 });
    const gold = new Set(setup.gold.map((t) => t.id));
    expect(gold.size).toBeLessThanOrEqual(4);
    expect(setup.queries.length).toBeGreaterThan(0);
    for (const query of setup.queries) {
      expect(query.id.startsWith('base/')).toBe(true);
      for (const id of query.relevant) expect(gold.has(id)).toBe(true);
    }
  });

  it('adds the base dataset\'s other tools first, then foreign tools, each content once', () => {
    const setup = scaleSetup(base, [other], { maxQueries: 3, goldBudget: 6 });
    const ownCount = 10 - setup.gold.length;
    expect(setup.distractors.slice(0, ownCount).every((t) => t.id.startsWith('base/'))).toBe(true);
    expect(setup.distractors.slice(ownCount).map((t) => t.id).sort()).toEqual(['other/o1', 'other/o2', 'other/o3', 'other/o4', 'other/o5']);

    const small = catalogOfSize(setup, 8);
    expect(small).toHaveLength(8);
    expect(small.slice(0, setup.gold.length)).toEqual(setup.gold);
    expect(catalogOfSize(setup, 1000)).toHaveLength(15);
  });

  it('caps a size beyond the pooled tools (or below the gold ones), measures each size once and says which changed', () => {
    const setup = scaleSetup(base, [other], { maxQueries: 3, goldBudget: 6 });
    const gold = setup.gold.length;
    expect(measuredSizes(setup, [1, 8, 15, 99_999_999])).toEqual({
      sizes: [gold, 8, 15],
      adjusted: [
        { requested: 1, measured: gold },
        { requested: 99_999_999, measured: 15 },
      ],
    });
  });
});
