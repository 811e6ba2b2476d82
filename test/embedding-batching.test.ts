import { beforeAll, describe, expect, it } from 'vitest';
import { batchingEmbedder } from '../src/embedding/batching-embedder.js';
import { loadEmbedder, type Embedder } from '../src/embedding/index.js';
import { RANDOM_MINILM, recordingLogger } from './support/retrieval.js';

/** The real model, with a record of the texts of each run it is asked for. */
function recordingRuns(embedder: Embedder): { embedder: Embedder; runs: string[][] } {
  const runs: string[][] = [];
  return {
    runs,
    embedder: {
      id: embedder.id,
      dimensions: embedder.dimensions,
      embed: (texts) => {
        runs.push([...texts]);
        return embedder.embed(texts);
      },
    },
  };
}

describe('batching embedder', () => {
  let model: Embedder;
  beforeAll(async () => {
    model = await loadEmbedder(RANDOM_MINILM, recordingLogger());
  });

  it('runs the model once for embed calls made together, and gives each caller its own vectors', async () => {
    const { embedder, runs } = recordingRuns(model);
    const batching = batchingEmbedder(embedder);
    const queries = ['find the file', 'email it to Bob', 'find the file, then email it to Bob'];
    const together = await Promise.all(queries.map((query) => batching.embed([query])));
    expect(runs).toEqual([queries]);
    const alone = await model.embed(queries);
    together.forEach(([vector], i) => {
      for (let d = 0; d < vector!.length; d++) expect(vector![d]).toBeCloseTo(alone[i]![d]!, 4);
    });
  });

  it('queues calls made while a run is in progress into the next run, up to the batch size', async () => {
    const { embedder, runs } = recordingRuns(model);
    const batching = batchingEmbedder(embedder, 4);
    const first = batching.embed(['first']);
    await Promise.resolve();
    // The first run has started; these wait for it and then go together, four at most per run.
    const later = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((text) => batching.embed([text])));
    await first;
    expect(runs).toEqual([['first'], ['a', 'b', 'c', 'd'], ['e']]);
    expect(later.every(([vector]) => vector!.length === model.dimensions)).toBe(true);
  });

  it('fails only the callers whose run failed', async () => {
    let calls = 0;
    const flaky: Embedder = {
      id: model.id,
      dimensions: model.dimensions,
      embed: async (texts) => {
        calls += 1;
        if (calls === 1) throw new Error('model run failed');
        return model.embed(texts);
      },
    };
    const batching = batchingEmbedder(flaky);
    const failed = Promise.all([batching.embed(['x']), batching.embed(['y'])]);
    await expect(failed).rejects.toThrow('model run failed');
    await expect(batching.embed(['z'])).resolves.toHaveLength(1);
  });
});
