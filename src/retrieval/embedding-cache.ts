import { appendFile, mkdir, open, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Embedder } from '../embedding/index.js';

/** What to embed, and the content key its vector is cached under. */
export interface EmbeddingRequest {
  readonly key: string;
  readonly text: string;
}

const VECTORS_FILE = 'vectors.f32';
const KEYS_FILE = 'keys.txt';
const META_FILE = 'meta.json';
/** Texts per embed call (and per append to the files). */
const EMBED_CHUNK = 256;

interface CacheMeta {
  readonly embedder: string;
  readonly dimensions: number;
}

/** The folder one embedder's vectors (and vector index) live in under the state folder. */
export function embedderStateDir(stateDir: string, embedder: Embedder): string {
  return join(stateDir, 'embeddings', embedder.id.replace(/[^A-Za-z0-9._-]+/g, '_'));
}

/**
 * Vectors by content key for one embedder, persisted as raw float32 rows (`vectors.f32`) beside their keys, one per
 * line (`keys.txt`, same order). New vectors are appended, so a restart or a catalog change embeds only the texts
 * it has never seen. Nothing is ever dropped: a vector costs 1.5-2 KB, and one for a tool version that went away
 * is ready when it comes back (servers reconnect, configs sharing a state folder); deleting the folder resets it.
 * Without a folder it is a memory-only cache.
 */
export class EmbeddingCache {
  private readonly vectors = new Map<string, Float32Array>();
  private embeddedCount = 0;
  private callCount = 0;

  private constructor(
    readonly embedder: Embedder,
    private readonly dir: string | undefined,
  ) {}

  static async open(embedder: Embedder, dir?: string): Promise<EmbeddingCache> {
    const cache = new EmbeddingCache(embedder, dir);
    if (dir) await cache.load(dir);
    return cache;
  }

  /** Texts sent to the embedder since this cache was opened. */
  get embeddedTexts(): number {
    return this.embeddedCount;
  }

  /** `embed()` calls made since this cache was opened (each carries a batch). */
  get embedCalls(): number {
    return this.callCount;
  }

  get size(): number {
    return this.vectors.size;
  }

  /**
   * One vector per request, in order: cached ones as stored, the rest embedded and stored in chunks, so an
   * interrupted first run over a large catalog keeps what it had embedded.
   */
  async vectorsFor(requests: readonly EmbeddingRequest[]): Promise<Float32Array[]> {
    const missing = new Map<string, string>();
    for (const { key, text } of requests) if (!this.vectors.has(key)) missing.set(key, text);
    const pending = [...missing];
    for (let start = 0; start < pending.length; start += EMBED_CHUNK) {
      const chunk = pending.slice(start, start + EMBED_CHUNK);
      this.callCount++;
      this.embeddedCount += chunk.length;
      const fresh = await this.embedder.embed(chunk.map(([, text]) => text));
      chunk.forEach(([key], i) => this.vectors.set(key, fresh[i]!));
      if (this.dir) await this.append(this.dir, chunk.map(([key]) => key), fresh);
    }
    return requests.map(({ key }) => this.vectors.get(key)!);
  }

  private async load(dir: string): Promise<void> {
    await mkdir(dir, { recursive: true });
    const meta: CacheMeta = { embedder: this.embedder.id, dimensions: this.embedder.dimensions };
    const stored = await readJson<CacheMeta>(join(dir, META_FILE));
    if (stored?.embedder !== meta.embedder || stored.dimensions !== meta.dimensions) {
      // A different model under the same folder name: its vectors are meaningless here; start over.
      await writeFile(join(dir, VECTORS_FILE), new Uint8Array());
      await writeFile(join(dir, KEYS_FILE), '');
      await writeFile(join(dir, META_FILE), JSON.stringify(meta));
      return;
    }
    const keyText = await readFile(join(dir, KEYS_FILE), 'utf8').catch(() => '');
    const keys = keyText.split('\n').filter((line) => line.length > 0);
    // Vectors are appended before their keys, so keys never outrun the rows; a torn write only loses its tail.
    const rowData = await readRows(join(dir, VECTORS_FILE), meta.dimensions, keys.length);
    const rows = rowData.length / meta.dimensions;
    for (let row = 0; row < rows; row++) {
      this.vectors.set(keys[row]!, rowData.subarray(row * meta.dimensions, (row + 1) * meta.dimensions));
    }
  }

  private async append(dir: string, keys: readonly string[], vectors: readonly Float32Array[]): Promise<void> {
    await appendFile(join(dir, VECTORS_FILE), rowsBuffer(vectors));
    await appendFile(join(dir, KEYS_FILE), keys.map((key) => `${key}\n`).join(''));
  }
}

/**
 * Up to `maxRows` whole rows of `dimensions` float32 values from the start of `path` (none if it cannot be read),
 * read straight into the array that keeps them: reading the file into a Buffer, then copying it to an aligned array,
 * held both at once (15 MB each at 10,000 tools, 384-d).
 */
async function readRows(path: string, dimensions: number, maxRows: number): Promise<Float32Array> {
  const file = await open(path).catch(() => undefined);
  if (!file) return new Float32Array(0);
  try {
    const rowBytes = dimensions * Float32Array.BYTES_PER_ELEMENT;
    const rows = Math.min(maxRows, Math.floor((await file.stat()).size / rowBytes));
    const bytes = new Uint8Array(rows * rowBytes);
    let filled = 0;
    while (filled < bytes.length) {
      const { bytesRead } = await file.read(bytes, filled, bytes.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return new Float32Array(bytes.buffer, 0, Math.floor(filled / rowBytes) * dimensions);
  } catch {
    return new Float32Array(0);
  } finally {
    await file.close();
  }
}

function rowsBuffer(vectors: readonly Float32Array[]): Uint8Array {
  const dimensions = vectors[0]?.length ?? 0;
  const rows = new Float32Array(vectors.length * dimensions);
  vectors.forEach((vector, i) => rows.set(vector, i * dimensions));
  return new Uint8Array(rows.buffer);
}

async function readJson<T>(path: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
}
