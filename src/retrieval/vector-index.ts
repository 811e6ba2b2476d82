import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { HierarchicalNSW } from 'hnswlib-node';
import { TopK } from './top-k.js';
import type { ScoredTool } from './types.js';

/**
 * Below this many vectors an exact scan beats HNSW. Measured with scripts/bench-vector-crossover.ts (384-d,
 * k 10, p50 per query): 50 vectors exact 0.035 ms / HNSW 0.050 ms, 75: 0.051 / 0.055, 100: 0.068 / 0.060,
 * 1,000: 0.69 / 0.11, 16,000: 12.1 / 0.15 (recall@10 of HNSW >= 0.998); full table in docs/retrieval.md.
 * Exact search also answers whenever a filter admits fewer tools than this.
 */
export const EXACT_SEARCH_BELOW = 100;

/** HNSW graph parameters: hnswlib's usual M and efConstruction; ef is raised per query to at least k. */
const HNSW_M = 16;
const HNSW_EF_CONSTRUCTION = 200;
const HNSW_EF_SEARCH = 64;
const HNSW_FILE = 'hnsw.bin';
const LABELS_FILE = 'hnsw-labels.json';

interface LabelFile {
  readonly dimensions: number;
  readonly nextLabel: number;
  /** `[label, id, content key]` of every live point in the graph. */
  readonly entries: ReadonlyArray<readonly [number, string, string]>;
}

interface GraphEntry {
  readonly label: number;
  readonly key: string;
}

export interface VectorIndexOptions {
  readonly dimensions: number;
  /** Folder the HNSW graph is persisted in; without it the graph lives in memory only. */
  readonly dir?: string;
  readonly exactSearchBelow?: number;
}

/**
 * Cosine nearest neighbours over L2-normalised vectors. A dense matrix holds every vector and answers exactly
 * while the index is small; above `exactSearchBelow` an hnswlib graph answers. The matrix is the truth: `commit()`
 * brings the graph in line with it (incrementally: markDelete and add) and persists it, so a restart reads the
 * graph instead of rebuilding it.
 */
export class VectorIndex {
  readonly dimensions: number;
  readonly exactSearchBelow: number;
  private readonly dir: string | undefined;
  private matrix: Float32Array;
  private readonly rowIds: string[] = [];
  private readonly rows = new Map<string, { row: number; key: string }>();
  private graph: HierarchicalNSW | undefined;
  private readonly graphEntries = new Map<string, GraphEntry>();
  private readonly labelIds = new Map<number, string>();
  private nextLabel = 0;
  private deletedLabels = 0;

  private constructor(options: VectorIndexOptions) {
    this.dimensions = options.dimensions;
    this.dir = options.dir;
    this.exactSearchBelow = options.exactSearchBelow ?? EXACT_SEARCH_BELOW;
    this.matrix = new Float32Array(64 * this.dimensions);
  }

  /** An empty index, with the graph a previous run persisted in `dir` when there is one for these dimensions. */
  static async open(options: VectorIndexOptions): Promise<VectorIndex> {
    const index = new VectorIndex(options);
    if (options.dir) await index.readGraph(options.dir);
    return index;
  }

  get size(): number {
    return this.rowIds.length;
  }

  /** Which search the next unfiltered query uses. */
  get mode(): 'exact' | 'hnsw' {
    return this.useGraph() ? 'hnsw' : 'exact';
  }

  /** The content key stored with `id`'s vector (what it was embedded from). */
  keyOf(id: string): string | undefined {
    return this.rows.get(id)?.key;
  }

  upsert(id: string, key: string, vector: Float32Array): void {
    if (vector.length !== this.dimensions) {
      throw new Error(`vector for "${id}" has ${vector.length} dimensions, the index has ${this.dimensions}`);
    }
    let row = this.rows.get(id)?.row;
    if (row === undefined) {
      row = this.rowIds.length;
      this.ensureCapacity(row + 1);
      this.rowIds.push(id);
    }
    this.rows.set(id, { row, key });
    this.matrix.set(vector, row * this.dimensions);
  }

  remove(id: string): void {
    const entry = this.rows.get(id);
    if (!entry) return;
    const last = this.rowIds.length - 1;
    const lastId = this.rowIds[last]!;
    if (entry.row !== last) {
      this.matrix.copyWithin(entry.row * this.dimensions, last * this.dimensions, (last + 1) * this.dimensions);
      this.rowIds[entry.row] = lastId;
      this.rows.set(lastId, { row: entry.row, key: this.rows.get(lastId)!.key });
    }
    this.rowIds.pop();
    this.rows.delete(id);
  }

  /** Brings the HNSW graph in line with the vectors (building it once the index is large enough) and saves it. */
  async commit(): Promise<void> {
    if (!this.graph && this.size < this.exactSearchBelow) return;
    const changed = this.graph ? this.reconcileGraph() : await this.buildGraph();
    if (changed && this.dir) await this.writeGraph(this.dir);
  }

  /** The `limit` nearest vectors to `query` (L2-normalised) among the ids `filter` admits; score = cosine. */
  search(query: Float32Array, limit: number, filter?: (id: string) => boolean): ScoredTool[] {
    if (limit <= 0 || this.size === 0) return [];
    if (!this.useGraph()) return this.exactSearch(query, limit, filter);
    if (filter) {
      let admitted = 0;
      for (const id of this.rowIds) if (filter(id)) admitted++;
      // A selective filter starves the graph walk of admissible neighbours; scanning the few admitted is exact and fast.
      if (admitted < this.exactSearchBelow) return this.exactSearch(query, limit, filter);
    }
    return this.graphSearch(query, limit, filter);
  }

  private useGraph(): boolean {
    return this.graph !== undefined && this.size >= this.exactSearchBelow;
  }

  private exactSearch(query: Float32Array, limit: number, filter?: (id: string) => boolean): ScoredTool[] {
    const top = new TopK(limit);
    const { dimensions, matrix } = this;
    for (let row = 0; row < this.rowIds.length; row++) {
      const id = this.rowIds[row]!;
      if (filter && !filter(id)) continue;
      let dot = 0;
      const offset = row * dimensions;
      for (let i = 0; i < dimensions; i++) dot += matrix[offset + i]! * query[i]!;
      top.offer(id, dot);
    }
    return top.result();
  }

  private graphSearch(query: Float32Array, limit: number, filter?: (id: string) => boolean): ScoredTool[] {
    const graph = this.graph!;
    const k = Math.min(limit, this.size);
    graph.setEf(Math.max(HNSW_EF_SEARCH, k));
    const labelFilter = filter ? (label: number) => filter(this.labelIds.get(label)!) : undefined;
    const { neighbors, distances } = graph.searchKnn(Array.from(query), k, labelFilter);
    return neighbors.map((label, i) => ({ id: this.labelIds.get(label)!, score: 1 - distances[i]! }));
  }

  private async buildGraph(): Promise<boolean> {
    const { default: hnswlib } = await import('hnswlib-node');
    this.graph = new hnswlib.HierarchicalNSW('cosine', this.dimensions);
    this.graph.initIndex({
      maxElements: Math.max(this.size, 64),
      m: HNSW_M,
      efConstruction: HNSW_EF_CONSTRUCTION,
      allowReplaceDeleted: true,
    });
    this.graphEntries.clear();
    this.labelIds.clear();
    this.nextLabel = 0;
    this.deletedLabels = 0;
    this.reconcileGraph();
    return true;
  }

  /** Deletes graph points whose vector is gone or changed, adds the missing ones; true when anything changed. */
  private reconcileGraph(): boolean {
    const graph = this.graph!;
    let changed = false;
    for (const [id, entry] of this.graphEntries) {
      if (this.rows.get(id)?.key === entry.key) continue;
      graph.markDelete(entry.label);
      this.graphEntries.delete(id);
      this.labelIds.delete(entry.label);
      this.deletedLabels++;
      changed = true;
    }
    for (const [id, { row, key }] of this.rows) {
      if (this.graphEntries.has(id)) continue;
      const reuse = this.deletedLabels > 0;
      if (!reuse && graph.getCurrentCount() >= graph.getMaxElements()) {
        graph.resizeIndex(Math.max(64, graph.getMaxElements() * 2));
      }
      const label = this.nextLabel++;
      graph.addPoint(Array.from(this.matrix.subarray(row * this.dimensions, (row + 1) * this.dimensions)), label, reuse);
      if (reuse) this.deletedLabels--;
      this.graphEntries.set(id, { label, key });
      this.labelIds.set(label, id);
      changed = true;
    }
    return changed;
  }

  private ensureCapacity(rows: number): void {
    if (rows * this.dimensions <= this.matrix.length) return;
    const grown = new Float32Array(Math.max(rows, (this.matrix.length / this.dimensions) * 2) * this.dimensions);
    grown.set(this.matrix);
    this.matrix = grown;
  }

  private async readGraph(dir: string): Promise<void> {
    let labels: LabelFile;
    try {
      labels = JSON.parse(await readFile(join(dir, LABELS_FILE), 'utf8')) as LabelFile;
    } catch {
      return; // no graph saved yet (or unreadable): it is rebuilt from the vectors when needed
    }
    if (labels.dimensions !== this.dimensions) return;
    const { default: hnswlib } = await import('hnswlib-node');
    const graph = new hnswlib.HierarchicalNSW('cosine', this.dimensions);
    try {
      await graph.readIndex(join(dir, HNSW_FILE), true);
    } catch {
      return;
    }
    this.graph = graph;
    this.nextLabel = labels.nextLabel;
    for (const [label, id, key] of labels.entries) {
      this.graphEntries.set(id, { label, key });
      this.labelIds.set(label, id);
    }
    this.deletedLabels = graph.getCurrentCount() - labels.entries.length;
  }

  private async writeGraph(dir: string): Promise<void> {
    await mkdir(dir, { recursive: true });
    const labels: LabelFile = {
      dimensions: this.dimensions,
      nextLabel: this.nextLabel,
      entries: [...this.graphEntries].map(([id, { label, key }]) => [label, id, key] as const),
    };
    // Write both under temporary names, then rename: a crash never leaves a graph paired with the wrong labels.
    const graphTemp = join(dir, `${HNSW_FILE}.tmp`);
    const labelsTemp = join(dir, `${LABELS_FILE}.tmp`);
    await this.graph!.writeIndex(graphTemp);
    await writeFile(labelsTemp, JSON.stringify(labels));
    await rm(join(dir, LABELS_FILE), { force: true });
    await rename(graphTemp, join(dir, HNSW_FILE));
    await rename(labelsTemp, join(dir, LABELS_FILE));
  }
}
