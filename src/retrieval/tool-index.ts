import { sha256Hex } from '../catalog/canonical-json.js';
import type { Embedder } from '../embedding/index.js';
import type { Logger } from '../log.js';
import { denseText, toSearchDocument } from './document.js';
import { EmbeddingCache, earlierRevisionDirs, embedderStateDir } from './embedding-cache.js';
import { confidence, confidenceModel, denseReference, lexicalReference } from './confidence.js';
import { FUSION_CANDIDATES, fusionFor, hybridRetriever, type FusionSettings } from './hybrid.js';
import { LexicalIndex } from './lexical-index.js';
import { preferringReplacements } from './deprecation.js';
import { decomposingRetriever } from './query-decomposition.js';
import { impliedDomainRetriever } from './implied-domain.js';
import { rerankingRetriever } from './rerank.js';
import { namedServerRetriever } from './named-server.js';
import { historyRetriever, type UsageHistory } from './usage-history.js';
import type { IndexableTool, Retriever, ScoredTool, SearchOptions } from './types.js';
import { VectorIndex } from './vector-index.js';
import type { VectorStore } from '../state/vector-store.js';

export const RETRIEVER_KINDS = ['bm25', 'dense', 'hybrid'] as const;
export type RetrieverKind = (typeof RETRIEVER_KINDS)[number];

export interface ToolIndexOptions {
  /** Without an embedder only `bm25` retrieval is available. */
  readonly embedder?: Embedder;
  /** Where embeddings and the HNSW graph are persisted (e.g. `.toolscope`); memory only without it. */
  readonly stateDir?: string;
  /** Keeps embeddings in this store instead of the state folder (Redis, shared by replicas); the graph stays local. */
  readonly sharedVectors?: (embedder: Embedder) => VectorStore;
  readonly logger?: Pick<Logger, 'info' | 'debug'>;
  /** Overrides the measured exact-vs-HNSW threshold (benchmarks and tests). */
  readonly exactSearchBelow?: number;
}

export interface RetrieverOptions {
  /** Split multi-action requests and give each action its tools (default true). */
  readonly decompose?: boolean;
  /** Reorder the first stage's best with the second-stage reranker (`rerank.ts`; default false). */
  readonly rerank?: boolean;
  /** Boost tools chosen before for similar requests (learning from use). */
  readonly history?: UsageHistory;
  /** How `hybrid` merges its two rankings (default: the measured setting for the embedder, `fusionFor`). */
  readonly fusion?: FusionSettings;
}

export interface ToolIndexStats {
  readonly tools: number;
  readonly embedder: string | null;
  readonly dimensions: number | null;
  /** How an unfiltered dense query is answered now. */
  readonly vectorSearch: 'exact' | 'hnsw' | 'none';
  /** Tool texts embedded since the index was built: 0 after a restart with an unchanged catalog. */
  readonly embeddedTools: number;
  readonly cachedVectors: number;
}

interface Entry {
  readonly tool: IndexableTool;
  /** sha-256 of the embedded text: the embedding cache key. */
  readonly key: string;
}

interface DenseParts {
  readonly embedder: Embedder;
  readonly cache: EmbeddingCache;
  readonly vectors: VectorIndex;
}

/**
 * The searchable tool catalog: a BM25 index and, with an embedder, a vector index over cached embeddings.
 * Updates are incremental (only new or changed tools are re-indexed and re-embedded) and run one at a time.
 */
export class ToolIndex {
  private readonly entries = new Map<string, Entry>();
  private readonly lexical = new LexicalIndex();
  private updates: Promise<void> = Promise.resolve();
  private pendingUpdates = 0;
  private readonly closing = new AbortController();

  private constructor(
    private readonly dense: DenseParts | undefined,
    private readonly logger: ToolIndexOptions['logger'],
  ) {}

  static async build(tools: readonly IndexableTool[], options: ToolIndexOptions = {}): Promise<ToolIndex> {
    const { embedder, stateDir } = options;
    let dense: DenseParts | undefined;
    if (embedder) {
      const dir = stateDir === undefined ? undefined : embedderStateDir(stateDir, embedder);
      const [cache, vectors] = await Promise.all([
        EmbeddingCache.open(embedder, options.sharedVectors?.(embedder) ?? dir),
        VectorIndex.open({
          dimensions: embedder.dimensions,
          ...(dir !== undefined && { dir }),
          ...(options.exactSearchBelow !== undefined && { exactSearchBelow: options.exactSearchBelow }),
        }),
      ]);
      dense = { embedder, cache, vectors };
      // Left by a toolscope before an upgrade changed how this model's vectors are computed: only disk to reclaim.
      for (const folder of stateDir === undefined ? [] : await earlierRevisionDirs(stateDir, embedder)) {
        options.logger?.info({ folder }, `${folder} holds ${embedder.id} vectors of an earlier revision, no longer read: it can be deleted`);
      }
    }
    const index = new ToolIndex(dense, options.logger);
    await index.upsert(tools);
    return index;
  }

  get size(): number {
    return this.entries.size;
  }

  get embedder(): Embedder | undefined {
    return this.dense?.embedder;
  }

  get(id: string): IndexableTool | undefined {
    return this.entries.get(id)?.tool;
  }

  ids(): string[] {
    return [...this.entries.keys()];
  }

  /** Adds new tools and re-indexes changed ones; unchanged tools cost nothing (no embedding). */
  upsert(tools: readonly IndexableTool[]): Promise<void> {
    return this.enqueue(async () => {
      const changed: Array<{ entry: Entry; text: string }> = [];
      for (const tool of tools) {
        const document = toSearchDocument(tool);
        const text = denseText(document);
        const entry: Entry = { tool, key: sha256Hex(text) };
        const previous = this.entries.get(tool.id);
        this.entries.set(tool.id, entry);
        // The vector check also retries a tool whose embedding failed in an earlier update.
        if (previous?.key === entry.key && (!this.dense || this.dense.vectors.keyOf(tool.id) === entry.key)) continue;
        this.lexical.upsert(document);
        changed.push({ entry, text });
      }
      if (!this.dense || changed.length === 0) return;
      const { cache, vectors } = this.dense;
      const embeddedBefore = cache.embeddedTexts;
      const found = await cache
        .vectorsFor(changed.map(({ entry, text }) => ({ key: entry.key, text })), this.closing.signal)
        .catch((error: unknown) => {
          if (this.closing.signal.aborted) return undefined;
          throw error;
        });
      // Closed meanwhile: nothing more is written.
      if (!found) return;
      changed.forEach(({ entry }, i) => vectors.upsert(entry.tool.id, entry.key, found[i]!));
      await vectors.commit();
      this.logger?.debug(
        { indexed: changed.length, embedded: cache.embeddedTexts - embeddedBefore },
        'tool index updated',
      );
    });
  }

  remove(ids: readonly string[]): Promise<void> {
    return this.enqueue(async () => {
      const removed = ids.filter((id) => this.entries.delete(id));
      if (removed.length === 0) return;
      for (const id of removed) {
        this.lexical.remove(id);
        this.dense?.vectors.remove(id);
      }
      await this.dense?.vectors.commit();
    });
  }

  /**
   * Stops indexing, for a gateway that stops: updates not begun are dropped, the one under way ends after the chunk of
   * embeddings it is at. Settles once nothing more is written to the state folder.
   */
  close(): Promise<void> {
    this.closing.abort();
    return this.updates;
  }

  /** Resolves once every update queued so far has been applied. */
  idle(): Promise<void> {
    return this.updates;
  }

  /** True while updates (typically embeddings of new tools) are queued or running. */
  get updating(): boolean {
    return this.pendingUpdates > 0;
  }

  /**
   * Ranking for one kind of first stage. Each action of a request (`query-decomposition.ts`) is ranked by the first
   * stage, with the tools of a domain its verb implies lifted (`implied-domain.ts`) and those of a server it names
   * (`named-server.ts`), then the reranker and the usage history if asked for, then deprecated tools yield to their
   * replacements.
   */
  retriever(kind: RetrieverKind = 'hybrid', options: RetrieverOptions = {}): Retriever {
    const tool = (id: string) => this.get(id);
    let lane = impliedDomainRetriever({ base: this.baseRetriever(kind, options.fusion), lexical: this.baseRetriever('bm25'), tool });
    lane = namedServerRetriever({ base: lane, tool });
    if (options.rerank) lane = rerankingRetriever({ base: lane, tool });
    if (options.history) lane = historyRetriever(lane, options.history, tool);
    lane = preferringReplacements({ base: lane, tool, idOf: (server, name) => this.idOf(server, name) });
    if (options.decompose === false) return lane;
    const model = confidenceModel(kind, this.dense?.embedder.id);
    // A dense ranking carries no BM25 scores: with no dense model fitted for its embedder, no step can be judged.
    const judged = kind !== 'dense' || model.dense !== undefined;
    return decomposingRetriever(lane, judged ? (hit) => confidence(hit.signals, model) : () => 1);
  }

  /** The id of the tool `name` of `server`; a linear scan, asked only for deprecated tools' replacements. */
  private idOf(server: string, name: string): string | undefined {
    for (const [id, { tool }] of this.entries) if (tool.server === server && tool.name === name) return id;
    return undefined;
  }

  stats(): ToolIndexStats {
    return {
      tools: this.entries.size,
      embedder: this.dense?.embedder.id ?? null,
      dimensions: this.dense?.embedder.dimensions ?? null,
      vectorSearch: this.dense ? this.dense.vectors.mode : 'none',
      embeddedTools: this.dense?.cache.embeddedTexts ?? 0,
      cachedVectors: this.dense?.cache.size ?? 0,
    };
  }

  /**
   * Each side ranks at least FUSION_CANDIDATES tools, as the hybrid asks of it, and its hits carry what that whole
   * ranking says about their scores, so a BM25-only or dense-only confidence reads the same references as a hybrid one.
   */
  private baseRetriever(kind: RetrieverKind, fusion?: FusionSettings): Retriever {
    const candidateCount = (limit: number) => Math.max(limit, FUSION_CANDIDATES);
    const lexical: Retriever = {
      name: 'bm25',
      search: async (query, options) => {
        const ranked = this.lexical.query(query, { ...options, limit: candidateCount(options.limit) });
        const reference = lexicalReference(ranked);
        return ranked.slice(0, options.limit).map((hit) => ({ ...hit, signals: { lexical: hit.score, ...reference } }));
      },
    };
    if (kind === 'bm25') return lexical;
    const dense = this.dense;
    if (!dense) throw new Error(`the "${kind}" retriever needs an embedder; this tool index was built without one`);
    const denseRetriever: Retriever = {
      name: 'dense',
      search: async (query: string, options: SearchOptions): Promise<ScoredTool[]> => {
        if (query.trim() === '') return [];
        const [vector] = await dense.embedder.embed([query]);
        const ranked = dense.vectors.search(vector!, candidateCount(options.limit), options.filter);
        const reference = denseReference(ranked);
        return ranked.slice(0, options.limit).map((hit) => ({ ...hit, signals: { dense: hit.score, ...reference } }));
      },
    };
    return kind === 'dense' ? denseRetriever : hybridRetriever(lexical, denseRetriever, fusion ?? fusionFor(dense.embedder.id));
  }

  private enqueue(update: () => Promise<void>): Promise<void> {
    this.pendingUpdates++;
    const result = this.updates.then(() => (this.closing.signal.aborted ? undefined : update())).finally(() => this.pendingUpdates--);
    this.updates = result.catch(() => undefined);
    return result;
  }
}
