import { join } from 'node:path';
import { earlierVectorSpaces, vectorSpace, type Embedder } from '../embedding/index.js';
import { pathExists } from '../fs/path-exists.js';
import { FileVectorStore } from '../state/file/file-vector-store.js';
import type { VectorStore } from '../state/vector-store.js';

/** What to embed, and the content key its vector is cached under. */
export interface EmbeddingRequest {
  readonly key: string;
  readonly text: string;
}

/** Texts per embed call (and per append to the files). */
const EMBED_CHUNK = 256;

/**
 * The folder one embedder's vectors (and vector index) live in under the state folder, one per vector space: the HNSW
 * graph holds vectors too, so a new revision starts both afresh. A folder of an older revision is left as it was.
 */
export function embedderStateDir(stateDir: string, embedder: Embedder): string {
  return vectorSpaceDir(stateDir, vectorSpace(embedder));
}

/** The folders earlier vector revisions of `embedder` left under the state folder: never read again. */
export async function earlierRevisionDirs(stateDir: string, embedder: Embedder): Promise<string[]> {
  const dirs = earlierVectorSpaces(embedder).map((space) => vectorSpaceDir(stateDir, space));
  const present = await Promise.all(dirs.map(pathExists));
  return dirs.filter((_, index) => present[index]);
}

function vectorSpaceDir(stateDir: string, space: string): string {
  return join(stateDir, 'embeddings', space.replace(/[^A-Za-z0-9._-]+/g, '_'));
}

/**
 * Vectors by content key for one embedder, kept in a vector store: a folder of the state folder (see
 * `FileVectorStore`), or Redis shared by replicas. New vectors are appended, so a restart or a catalog change embeds
 * only the texts it has never seen. Nothing is ever dropped: a vector costs 1.5-2 KB, and one for a tool version
 * that went away is ready when it comes back (servers reconnect, configs sharing a state folder); deleting the
 * folder resets it. Without a store it is a memory-only cache.
 */
export class EmbeddingCache {
  private readonly vectors = new Map<string, Float32Array>();
  private embeddedCount = 0;

  private constructor(
    readonly embedder: Embedder,
    private readonly store: VectorStore | undefined,
  ) {}

  /** A cache over `storage`: a folder (of the state folder), or any vector store. */
  static async open(embedder: Embedder, storage?: string | VectorStore): Promise<EmbeddingCache> {
    const store = typeof storage === 'string' ? new FileVectorStore(storage, embedder) : storage;
    const cache = new EmbeddingCache(embedder, store);
    for (const [key, vector] of (await store?.load()) ?? []) cache.vectors.set(key, vector);
    return cache;
  }

  /** Texts sent to the embedder since this cache was opened. */
  get embeddedTexts(): number {
    return this.embeddedCount;
  }

  get size(): number {
    return this.vectors.size;
  }

  /**
   * One vector per request, in order: cached ones as stored, the rest embedded and stored in chunks, so an
   * interrupted first run over a large catalog keeps what it had embedded.
   */
  async vectorsFor(requests: readonly EmbeddingRequest[], signal?: AbortSignal): Promise<Float32Array[]> {
    const missing = new Map<string, string>();
    for (const { key, text } of requests) if (!this.vectors.has(key)) missing.set(key, text);
    const pending = [...missing];
    for (let start = 0; start < pending.length; start += EMBED_CHUNK) {
      // Between chunks: a catalog of thousands stops within one chunk's embedding, its vectors so far kept.
      signal?.throwIfAborted();
      const chunk = pending.slice(start, start + EMBED_CHUNK);
      this.embeddedCount += chunk.length;
      const fresh = await this.embedder.embed(chunk.map(([, text]) => text));
      chunk.forEach(([key], i) => this.vectors.set(key, fresh[i]!));
      await this.store?.append(chunk.map(([key]) => key), fresh);
    }
    return requests.map(({ key }) => this.vectors.get(key)!);
  }
}
