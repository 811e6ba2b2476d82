import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { HierarchicalNSW } from 'hnswlib-node';
import { uniqueNamePart, writeFileAtomic } from '../fs/atomic-write.js';
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
const LABELS_FILE = 'hnsw-labels.json';
/** Every save's graph file, named by its labels file (see `writeGraph`); `hnsw.bin` is the one name of format 2. */
const GRAPH_FILE = /^hnsw(-[0-9a-f]+)?\.bin$/;
/** A graph file no labels file names, this old, was left by a save that crashed or lost a race to name its graph. */
const ABANDONED_GRAPH_MS = 10 * 60_000;

type LabelledPoint = readonly [label: number, id: string, contentKey: string];

/**
 * Bumped when graphs written before cannot be trusted: a graph of an older format is rebuilt from the vectors once.
 * 2: points inserted while others were parked are linked to the whole graph (see `insert`); format 1 graphs may hold
 * points all but unreachable. 3: the labels file names its graph file, a new one per save (see `writeGraph`).
 */
export const GRAPH_FORMAT = 3;

interface LabelFile {
  readonly format?: number;
  /** The graph file in the same folder these labels belong to. */
  readonly graph?: string;
  readonly dimensions: number;
  readonly nextLabel: number;
  /** Every live point in the graph. */
  readonly entries: readonly LabelledPoint[];
  /** Points marked deleted whose tool may come back with the same vector: revived instead of inserted again. */
  readonly parked?: readonly LabelledPoint[];
}

interface GraphEntry {
  readonly label: number;
  readonly key: string;
}

/** An id whose vector needs a new graph point: its row and content key. */
interface PendingPoint {
  readonly id: string;
  readonly row: number;
  readonly key: string;
}

export interface VectorIndexOptions {
  readonly dimensions: number;
  /** Folder the HNSW graph is persisted in; without it the graph lives in memory only. */
  readonly dir?: string;
  readonly exactSearchBelow?: number;
}

/**
 * Cosine nearest neighbours over L2-normalised vectors. The rows (every id's vector) answer exactly while the index
 * is small; above `exactSearchBelow` an hnswlib graph answers. The rows are the truth: `commit()` brings the graph
 * in line with them and persists it, so a restart reads the graph instead of rebuilding it.
 *
 * Inserting a point into the graph is the expensive step (about a millisecond), so a point whose tool goes away is
 * parked (marked deleted) rather than forgotten, and revived when the tool comes back with the same vector. A restart
 * parks every stored point and revives each as its server reports the tool again: servers connect one by one, and a
 * tool not reported yet must not be found, nor be inserted again once it is. A commit only looks at the ids changed
 * since the last one.
 */
export class VectorIndex {
  readonly dimensions: number;
  readonly exactSearchBelow: number;
  private readonly dir: string | undefined;
  private readonly rowIds: string[] = [];
  /** The vector of `rowIds[row]`: the caller's array itself, see `upsert`. */
  private readonly rowVectors: Float32Array[] = [];
  private readonly rows = new Map<string, { row: number; key: string }>();
  private graph: HierarchicalNSW | undefined;
  /** Live graph points, by id. */
  private readonly graphEntries = new Map<string, GraphEntry>();
  /** Graph points marked deleted that can be revived, by id. */
  private readonly parked = new Map<string, GraphEntry>();
  private readonly labelIds = new Map<number, string>();
  private nextLabel = 0;
  /** Ids whose vector was set or removed since the last commit. */
  private readonly unsynced = new Set<string>();
  /** The graph differs from its file: a point was inserted, parked, or revived other than from `restored`. */
  private unsaved = false;
  /** Labels live in the file, parked since it was read and not revived yet: no reason to rewrite the file. */
  private readonly restored = new Set<number>();
  /** The graph file this index read or last saved: its next save supersedes it. */
  private graphFile: string | undefined;

  private constructor(options: VectorIndexOptions) {
    this.dimensions = options.dimensions;
    this.dir = options.dir;
    this.exactSearchBelow = options.exactSearchBelow ?? EXACT_SEARCH_BELOW;
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

  /**
   * Keeps `vector` itself, not a copy, so the caller must not modify it afterwards: the vectors come from the
   * embedding cache, which holds them anyway, and a second copy of all of them (a growing matrix) took 24 MB at
   * 10,000 tools (384-d).
   */
  upsert(id: string, key: string, vector: Float32Array): void {
    if (vector.length !== this.dimensions) {
      throw new Error(`vector for "${id}" has ${vector.length} dimensions, the index has ${this.dimensions}`);
    }
    let row = this.rows.get(id)?.row;
    if (row === undefined) {
      row = this.rowIds.length;
      this.rowIds.push(id);
    }
    this.rows.set(id, { row, key });
    this.rowVectors[row] = vector;
    this.unsynced.add(id);
  }

  remove(id: string): void {
    const entry = this.rows.get(id);
    if (!entry) return;
    const last = this.rowIds.length - 1;
    const lastId = this.rowIds[last]!;
    if (entry.row !== last) {
      this.rowVectors[entry.row] = this.rowVectors[last]!;
      this.rowIds[entry.row] = lastId;
      this.rows.set(lastId, { row: entry.row, key: this.rows.get(lastId)!.key });
    }
    this.rowIds.pop();
    this.rowVectors.pop();
    this.rows.delete(id);
    this.unsynced.add(id);
  }

  /** Brings the HNSW graph in line with the vectors (building it once the index is large enough) and saves it. */
  async commit(): Promise<void> {
    if (!this.graph && this.size < this.exactSearchBelow) return;
    if (!this.graph) await this.buildGraph();
    this.reconcileGraph();
    if (this.unsaved && this.dir) await this.writeGraph(this.dir);
  }

  /** The `limit` nearest vectors to `query` (L2-normalised) among the ids `filter` admits; score = cosine. */
  search(query: Float32Array, limit: number, filter?: (id: string) => boolean): ScoredTool[] {
    if (limit <= 0 || this.size === 0) return [];
    if (!this.useGraph()) return this.exactSearch(query, limit, filter);
    // A selective filter starves the graph walk of admissible neighbours; scanning the few admitted is exact and fast.
    if (filter && !this.admitsAtLeast(filter, this.exactSearchBelow)) return this.exactSearch(query, limit, filter);
    return this.graphSearch(query, limit, filter);
  }

  /**
   * Whether `filter` admits at least `count` indexed tools. Counting stops there: a filter that admits most of 10,000
   * tools is asked about the first hundred or so, not every one, on each search.
   */
  private admitsAtLeast(filter: (id: string) => boolean, count: number): boolean {
    let admitted = 0;
    for (const id of this.rowIds) if (filter(id) && ++admitted >= count) return true;
    return false;
  }

  private useGraph(): boolean {
    return this.graph !== undefined && this.size >= this.exactSearchBelow;
  }

  private exactSearch(query: Float32Array, limit: number, filter?: (id: string) => boolean): ScoredTool[] {
    const top = new TopK(limit);
    const { dimensions } = this;
    for (let row = 0; row < this.rowIds.length; row++) {
      const id = this.rowIds[row]!;
      if (filter && !filter(id)) continue;
      const vector = this.rowVectors[row]!;
      let dot = 0;
      for (let i = 0; i < dimensions; i++) dot += vector[i]! * query[i]!;
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

  private async buildGraph(): Promise<void> {
    const { default: hnswlib } = await import('hnswlib-node');
    this.graph = new hnswlib.HierarchicalNSW('cosine', this.dimensions);
    this.graph.initIndex({ maxElements: Math.max(this.size, 64), m: HNSW_M, efConstruction: HNSW_EF_CONSTRUCTION });
    this.graphEntries.clear();
    this.parked.clear();
    this.labelIds.clear();
    this.nextLabel = 0;
    this.unsaved = false;
    this.restored.clear();
    for (const id of this.rowIds) this.unsynced.add(id);
  }

  /** Parks the points of changed or removed ids, then revives or inserts a point for every id that has none. */
  private reconcileGraph(): void {
    const graph = this.graph!;
    for (const id of this.unsynced) {
      const entry = this.graphEntries.get(id);
      if (!entry || this.rows.get(id)?.key === entry.key) continue;
      graph.markDelete(entry.label);
      this.graphEntries.delete(id);
      this.labelIds.delete(entry.label);
      this.parked.set(id, entry);
      this.noteChange(entry.label);
    }
    const inserts: PendingPoint[] = [];
    for (const id of this.unsynced) {
      const row = this.rows.get(id);
      if (!row || this.graphEntries.has(id)) continue;
      const parked = this.parked.get(id);
      if (parked?.key !== row.key) {
        inserts.push({ id, ...row });
        continue;
      }
      this.parked.delete(id);
      graph.unmarkDelete(parked.label);
      this.goLive(id, parked);
    }
    this.insert(inserts);
    this.unsynced.clear();
  }

  /**
   * hnswlib links a new point only to points not marked deleted. Parked points are part of the graph's geometry
   * (searches walk through them, and they come back when their tool does): a point inserted while most of the graph
   * is parked, as during a warm start, would link to the few live ones only and then be all but unreachable. So the
   * parked points are unmarked for the length of the inserts.
   */
  private insert(points: readonly PendingPoint[]): void {
    if (points.length === 0) return;
    const graph = this.graph!;
    const parked = [...this.parked.values()];
    for (const { label } of parked) graph.unmarkDelete(label);
    try {
      for (const { id, row, key } of points) {
        // A parked point of an older version of this tool stays deleted: it is dead now.
        this.parked.delete(id);
        if (graph.getCurrentCount() >= graph.getMaxElements()) graph.resizeIndex(graph.getMaxElements() * 2);
        const entry: GraphEntry = { label: this.nextLabel++, key };
        graph.addPoint(Array.from(this.rowVectors[row]!), entry.label);
        this.goLive(id, entry);
      }
    } finally {
      for (const { label } of parked) graph.markDelete(label);
    }
  }

  private goLive(id: string, entry: GraphEntry): void {
    this.graphEntries.set(id, entry);
    this.labelIds.set(entry.label, id);
    this.noteChange(entry.label);
  }

  /** Called when `label` turned live or was parked: only reviving a point the file already has live changes nothing. */
  private noteChange(label: number): void {
    if (!this.restored.delete(label)) this.unsaved = true;
  }

  private async readGraph(dir: string): Promise<void> {
    let labels: LabelFile;
    try {
      labels = JSON.parse(await readFile(join(dir, LABELS_FILE), 'utf8')) as LabelFile;
    } catch {
      return; // no graph saved yet (or unreadable): it is rebuilt from the vectors when needed
    }
    if (labels.format !== GRAPH_FORMAT || labels.dimensions !== this.dimensions || !GRAPH_FILE.test(labels.graph ?? '')) return;
    this.graphFile = labels.graph;
    const { default: hnswlib } = await import('hnswlib-node');
    const graph = new hnswlib.HierarchicalNSW('cosine', this.dimensions);
    try {
      await graph.readIndex(join(dir, labels.graph!));
    } catch {
      return; // removed by a newer save since its labels were read: rebuilt from the vectors
    }
    const parked = labels.parked ?? [];
    const dead = graph.getCurrentCount() - labels.entries.length - parked.length;
    // Mostly dead points (tools that changed): a fresh graph is smaller and searches faster.
    if (dead > labels.entries.length + parked.length) return;
    this.graph = graph;
    this.nextLabel = labels.nextLabel;
    // Parked until the tool is indexed again in this run (see the class comment).
    for (const [label, id, key] of labels.entries) {
      graph.markDelete(label);
      this.parked.set(id, { label, key });
      this.restored.add(label);
    }
    for (const [label, id, key] of parked) this.parked.set(id, { label, key });
  }

  private async writeGraph(dir: string): Promise<void> {
    await mkdir(dir, { recursive: true });
    const points = (entries: Map<string, GraphEntry>) => [...entries].map(([id, { label, key }]) => [label, id, key] as const);
    // A graph file of its own, which only the labels written for it name: however many processes save into one
    // folder at once, a reader never pairs a graph with another save's labels, and a crash leaves the previous pair.
    const graphFile = `hnsw-${uniqueNamePart()}.bin`;
    const labels: LabelFile = {
      format: GRAPH_FORMAT,
      graph: graphFile,
      dimensions: this.dimensions,
      nextLabel: this.nextLabel,
      entries: points(this.graphEntries),
      parked: points(this.parked),
    };
    await this.graph!.writeIndex(join(dir, graphFile));
    await writeFileAtomic(join(dir, LABELS_FILE), JSON.stringify(labels));
    const superseded = this.graphFile;
    this.graphFile = graphFile;
    this.unsaved = false;
    this.restored.clear();
    await removeUnnamedGraphs(dir, graphFile, superseded);
  }
}

/**
 * Removes graph files no labels file names any more: `superseded` at once, any other only once abandoned, since a
 * recent one may be another process's, written and about to be named. A reader that loses its graph so rebuilds it.
 */
async function removeUnnamedGraphs(dir: string, current: string, superseded: string | undefined): Promise<void> {
  const abandonedBefore = Date.now() - ABANDONED_GRAPH_MS;
  for (const name of await readdir(dir)) {
    if (name === current || !GRAPH_FILE.test(name)) continue;
    const path = join(dir, name);
    if (name === superseded || (await modifiedBefore(path, abandonedBefore))) await rm(path, { force: true });
  }
}

async function modifiedBefore(path: string, time: number): Promise<boolean> {
  return stat(path).then(
    (found) => found.mtimeMs < time,
    () => false,
  );
}
