import type { Embedder } from '../embedding/index.js';

/** The model whose vectors a store keeps: vectors of different models, or revisions, never mix. */
export type EmbedderIdentity = Pick<Embedder, 'id' | 'dimensions' | 'vectorRevision'>;

/**
 * Where an embedding cache keeps its vectors between runs: the state folder (one toolscope), or Redis (shared by
 * replicas, so a tool is embedded once for all). It is a cache: a store that cannot be reached costs embeddings,
 * never a refusal, so implementations report their own failures and carry on.
 */
export interface VectorStore {
  /** Every vector kept for this embedder, by content key. */
  load(): Promise<Array<readonly [string, Float32Array]>>;
  /** Keeps more vectors, `keys[i]` for `vectors[i]`. */
  append(keys: readonly string[], vectors: readonly Float32Array[]): Promise<void>;
}
