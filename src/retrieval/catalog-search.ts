import { EventEmitter } from 'node:events';
import { join, resolve } from 'node:path';
import type { Catalog } from '../catalog/catalog.js';
import type { CatalogTool } from '../catalog/tool.js';
import type { RetrievalConfig } from '../config/retrieval.js';
import { loadEmbedder, type Embedder } from '../embedding/index.js';
import type { Logger } from '../log.js';
import { syncToolIndex, type ServerDescriptions } from './catalog-sync.js';
import { ToolIndex, type RetrieverKind, type ToolIndexOptions, type ToolIndexStats } from './tool-index.js';

export interface FoundTool {
  readonly tool: CatalogTool;
  readonly score: number;
}

export interface ToolSearchOptions {
  readonly limit: number;
  /** The tools the caller may call (the policy's per-principal filter); applied before the top-k cut. */
  readonly filter?: (tool: CatalogTool) => boolean;
}

/** Ranks catalog tools for a request: what search_tools, `tools/list` with a query and the route API ask. */
export interface ToolSearch {
  search(query: string, options: ToolSearchOptions): Promise<FoundTool[]>;
}

export interface RetrievalStatus extends Partial<ToolIndexStats> {
  /** `starting` until the embedder is loaded and the index built. */
  readonly state: 'starting' | 'ready';
  readonly retriever: RetrieverKind;
  /** True while new or changed tools are being embedded (search answers with BM25 meanwhile). */
  readonly indexing: boolean;
}

export interface CatalogSearchOptions {
  readonly retrieval: RetrievalConfig;
  /** Absolute state folder: embeddings, HNSW graph, and downloaded models unless `cacheDir` says otherwise. */
  readonly stateDir: string;
  /** Folder relative model paths in the config are resolved against. */
  readonly configDir: string;
  readonly serverDescriptions?: ServerDescriptions;
  readonly logger: Logger;
  /** Where embeddings are shared with other replicas (the state backend's); the state folder without it. */
  readonly sharedVectors?: ToolIndexOptions['sharedVectors'];
}

/**
 * How long a search waits for tools still being embedded before answering with BM25 alone: a first start over a
 * large catalog can embed for minutes, and lexical results over every tool beat dense ones over some.
 */
const INDEX_WAIT_MS = 15_000;

/**
 * The longest query a client may send (search_tools, `tools/list` with a query, the route API): embedding and
 * decomposing cost grows with length and blocks the event loop, so one huge query would stall every session.
 */
export const MAX_QUERY_LENGTH = 2_000;

/**
 * The gateway's tool search: loads the configured embedder, indexes the catalog (embeddings cached in the state
 * folder) and follows its changes. Emits `change` when its status changes.
 */
export class CatalogSearch extends EventEmitter<{ change: []; searched: [seconds: number, retriever: RetrieverKind] }> implements ToolSearch {
  private started: Promise<ToolIndex> | undefined;
  private index: ToolIndex | undefined;
  private stopSync: () => void = () => undefined;
  private closed = false;

  constructor(
    private readonly catalog: Catalog,
    private readonly options: CatalogSearchOptions,
  ) {
    super();
  }

  /** Loads the embedder and builds the index; later calls return the same promise. */
  start(): Promise<ToolIndex> {
    this.started ??= this.build();
    return this.started;
  }

  async search(query: string, options: ToolSearchOptions): Promise<FoundTool[]> {
    const started = performance.now();
    const index = await this.start();
    const settled = await Promise.race([index.idle().then(() => true), delay(INDEX_WAIT_MS).then(() => false)]);
    const kind = settled || !index.embedder ? this.retrieverKind(index) : 'bm25';
    const { filter } = options;
    const hits = await index.retriever(kind, { decompose: this.options.retrieval.decompose }).search(query, {
      limit: options.limit,
      filter: (id) => {
        const tool = this.catalog.get(id);
        return tool !== undefined && (!filter || filter(tool));
      },
    });
    this.emit('searched', (performance.now() - started) / 1000, kind);
    return hits.flatMap(({ id, score }) => {
      const tool = this.catalog.get(id);
      return tool ? [{ tool, score }] : [];
    });
  }

  status(): RetrievalStatus {
    const index = this.index;
    return {
      state: index ? 'ready' : 'starting',
      retriever: index ? this.retrieverKind(index) : this.options.retrieval.retriever,
      indexing: index?.updating ?? false,
      ...index?.stats(),
    };
  }

  /** Stops following the catalog (also if the index is still being built). */
  close(): void {
    this.closed = true;
    this.stopSync();
  }

  private async build(): Promise<ToolIndex> {
    const { logger, serverDescriptions, stateDir, sharedVectors } = this.options;
    const embedder = await this.loadEmbedder();
    // Empty at first: the sync below indexes the catalog as it is by then, and follows it from there.
    const index = await ToolIndex.build([], { ...(embedder && { embedder }), stateDir, logger, ...(sharedVectors && { sharedVectors }) });
    const stopIndexing = syncToolIndex(index, this.catalog, {
      logger,
      ...(serverDescriptions && { serverDescriptions }),
    });
    const announce = () => void index.idle().then(() => this.emit('change'));
    this.catalog.on('change', announce);
    this.stopSync = () => {
      stopIndexing();
      this.catalog.off('change', announce);
    };
    this.index = index;
    if (this.closed) this.stopSync();
    this.emit('change');
    announce();
    return index;
  }

  /** The configured embedder (use-lite when the model cannot load); none at all only if use-lite fails too. */
  private async loadEmbedder(): Promise<Embedder | undefined> {
    const { retrieval, stateDir, configDir, logger } = this.options;
    if (retrieval.retriever === 'bm25') return undefined;
    const { modelDir, cacheDir, ...settings } = retrieval.embedder;
    try {
      return await loadEmbedder(
        {
          ...settings,
          ...(modelDir !== undefined && { localModelPath: resolve(configDir, modelDir) }),
          cacheDir: cacheDir === undefined ? join(stateDir, 'models') : resolve(configDir, cacheDir),
        },
        logger,
      );
    } catch (error) {
      logger.error({ err: error }, 'no embedder could be loaded; tool search uses BM25 only');
      return undefined;
    }
  }

  private retrieverKind(index: ToolIndex): RetrieverKind {
    return index.embedder ? this.options.retrieval.retriever : 'bm25';
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
