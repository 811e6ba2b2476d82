import { appendFile, mkdir, open, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { vectorSpace } from '../../embedding/index.js';
import type { EmbedderIdentity, VectorStore } from '../vector-store.js';

const VECTORS_FILE = 'vectors.f32';
const KEYS_FILE = 'keys.txt';
const META_FILE = 'meta.json';

interface CacheMeta {
  /** The embedder's `vectorSpace`. */
  readonly embedder: string;
  readonly dimensions: number;
}

/**
 * One embedder's vectors in a folder, as raw float32 rows (`vectors.f32`) beside their keys, one per line
 * (`keys.txt`, same order). New vectors are appended; nothing is ever dropped.
 */
export class FileVectorStore implements VectorStore {
  constructor(
    private readonly dir: string,
    private readonly embedder: EmbedderIdentity,
  ) {}

  async load(): Promise<Array<readonly [string, Float32Array]>> {
    const { dir } = this;
    await mkdir(dir, { recursive: true });
    const meta: CacheMeta = { embedder: vectorSpace(this.embedder), dimensions: this.embedder.dimensions };
    const stored = await readJson<CacheMeta>(join(dir, META_FILE));
    if (stored?.embedder !== meta.embedder || stored.dimensions !== meta.dimensions) {
      // A different model (or revision) under the same folder name: its vectors are meaningless here; start over.
      await writeFile(join(dir, VECTORS_FILE), new Uint8Array());
      await writeFile(join(dir, KEYS_FILE), '');
      await writeFile(join(dir, META_FILE), JSON.stringify(meta));
      return [];
    }
    const keyText = await readFile(join(dir, KEYS_FILE), 'utf8').catch(() => '');
    const keys = keyText.split('\n').filter((line) => line.length > 0);
    // Vectors are appended before their keys, so keys never outrun the rows; a torn write only loses its tail.
    const rowData = await readRows(join(dir, VECTORS_FILE), meta.dimensions, keys.length);
    const rows = rowData.length / meta.dimensions;
    const vectors: Array<readonly [string, Float32Array]> = [];
    for (let row = 0; row < rows; row++) {
      vectors.push([keys[row]!, rowData.subarray(row * meta.dimensions, (row + 1) * meta.dimensions)]);
    }
    return vectors;
  }

  async append(keys: readonly string[], vectors: readonly Float32Array[]): Promise<void> {
    await appendFile(join(this.dir, VECTORS_FILE), rowsBuffer(vectors));
    await appendFile(join(this.dir, KEYS_FILE), keys.map((key) => `${key}\n`).join(''));
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
