import { EventEmitter } from 'node:events';
import { join, resolve } from 'node:path';
import type { Catalog } from '../catalog/catalog.js';
import type { CatalogTool } from '../catalog/tool.js';
import type { RetrievalConfig } from '../config/retrieval.js';
import { loadEmbedder, type Embedder } from '../embedding/index.js';
import type { Logger } from '../log.js';
import { UsageHistoryFile } from '../state/file/usage-history-file.js';
import type { RecentSearchStore } from '../state/recent-search-store.js';
import { syncToolIndex, type ServerDescriptions } from './catalog-sync.js';
import { confidence, confidenceModel, type ConfidenceModel } from './confidence.js';
import { RecentSearches, type RecentSearch } from './recent-searches.js';
import type { ScoredTool } from './types.js';
import { UsageHistory } from './usage-history.js';
import { ToolIndex, type RetrieverKind, type ToolIndexOptions, type ToolIndexStats } from './tool-index.js';

export interface FoundTool {
  readonly tool: CatalogTool;
  readonly score: number;
  /** Calibrated probability (0..1) that the tool is one the request needs (`confidence.ts`). */
  readonly confidence: number;
  /** For a request of several actions: the action (1-based) the tool was found for; 0 for the whole request. */
  readonly step?: number;
}

/** A ranking's hits with their tools and calibrated confidences; a hit whose tool is gone meanwhile is left out. */
export function foundTools(hits: readonly ScoredTool[], tool: (id: string) => CatalogTool | undefined, model: ConfidenceModel): FoundTool[] {
  return hits.flatMap(({ id, score, signals, step }) => {
    const found = tool(id);
    return found ? [{ tool: found, score, confidence: confidence(signals, model), ...(step !== undefined && { step }) }] : [];
  });
}

export interface ToolSearchOptions {
  readonly limit: number;
  /** The tools the caller may call (the policy's per-principal filter); applied before the top-k cut. */
  readonly filter?: (tool: CatalogTool) => boolean;
}

/** Ranks catalog tools for a request: what search_tools, `tools/list` with a query and the route API ask. */
export interface ToolSearch {
  search(query: string, options: ToolSearchOptions): Promise<FoundTool[]>;
  /** A principal called `tool` after a search for `query` found it (learning from use; ignored unless enabled). */
  recordChoice?(query: string, tool: string): void;
}

export interface RetrievalStatus extends Partial<ToolIndexStats> {
  /** `starting` until the embedder is loaded and the index built. */
  readonly state: 'starting' | 'ready';
  readonly retriever: RetrieverKind;
  /** True while new or changed tools are being embedded (search answers with BM25 meanwhile). */
  readonly indexing: boolean;
  /** With learning from use on: the past (request, chosen tool) pairs it ranks with. */
  readonly learnedChoices?: number;
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
  /** Masks secrets in queries before learning from use or the recent searches keep them. */
  readonly redact?: (text: string) => string;
  /** Where the recent searches the hijack check replays outlive a restart (the state backend's); in memory without it. */
  readonly recentSearchStore?: RecentSearchStore;
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
  private readonly recent: RecentSearches;
  private readonly history: UsageHistory | undefined;
  private readonly historyFile: UsageHistoryFile | undefined;
  private historyLoaded: Promise<void> = Promise.resolve();

  constructor(
    private readonly catalog: Catalog,
    private readonly options: CatalogSearchOptions,
  ) {
    super();
    this.recent = new RecentSearches(options.recentSearchStore, options.logger);
    const { learning } = options.retrieval;
    if (learning.enabled) {
      const history = new UsageHistory([], learning.maxRecords);
      const file = new UsageHistoryFile(options.stateDir, (error) => options.logger.warn({ err: error }, 'cannot write the usage history'));
      this.history = history;
      this.historyFile = file;
      this.historyLoaded = file
        .load()
        .then((records) => records.forEach((record) => history.add(record)))
        .catch((error: unknown) => options.logger.warn({ err: error }, 'cannot read the usage history; starting without it'));
    }
  }

  recordChoice(query: string, tool: string): void {
    const { history, historyFile } = this;
    if (!history || !historyFile) return;
    const redacted = this.options.redact?.(query) ?? query;
    history.add({ query: redacted, tool, at: new Date().toISOString() });
    void historyFile.save(() => history.all());
    // The status counts the learned choices (its readers, the run record and the console, are throttled).
    this.emit('change');
  }

  /** The most recent searches, oldest first (at most 200), those of earlier runs included once the store is read. */
  recentSearches(): Promise<readonly RecentSearch[]> {
    return this.recent.all();
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
    const found = await this.rank(index, kind, query, options);
    this.emit('searched', (performance.now() - started) / 1000, kind);
    if (found[0]) this.remember({ query, top: found[0].tool.exposedName });
    return found;
  }

  /**
   * The best tool for `query` among those `filter` admits, once every queued index update is applied; not recorded
   * as a search (the retrieval hijack check replays recent searches with it).
   */
  async replayTop(query: string, filter: (tool: CatalogTool) => boolean): Promise<string | undefined> {
    const index = await this.start();
    await index.idle();
    const [best] = await this.rank(index, this.retrieverKind(index), query, { limit: 1, filter });
    return best?.tool.exposedName;
  }

  private async rank(index: ToolIndex, kind: RetrieverKind, query: string, options: ToolSearchOptions): Promise<FoundTool[]> {
    const { filter } = options;
    await this.historyLoaded;
    const { decompose, rerank } = this.options.retrieval;
    const retriever = index.retriever(kind, { decompose, rerank, ...(this.history && { history: this.history }) });
    const hits = await retriever.search(query, {
      limit: options.limit,
      filter: (id) => {
        const tool = this.catalog.get(id);
        return tool !== undefined && (!filter || filter(tool));
      },
    });
    return foundTools(hits, (id) => this.catalog.get(id), confidenceModel(kind, index.embedder?.id));
  }

  /** Kept for the hijack check alone: with it off, no search is kept. */
  private remember(search: RecentSearch): void {
    if (!this.options.retrieval.hijackCheck.enabled) return;
    this.recent.add({ ...search, query: this.options.redact?.(search.query) ?? search.query });
  }

  status(): RetrievalStatus {
    const index = this.index;
    return {
      state: index ? 'ready' : 'starting',
      retriever: index ? this.retrieverKind(index) : this.options.retrieval.retriever,
      indexing: index?.updating ?? false,
      ...index?.stats(),
      ...(this.history && { learnedChoices: this.history.size }),
    };
  }

  /**
   * Stops following the catalog (also if the index is still being built) and stops indexing; settles once the recent
   * searches are saved and nothing more is written to the state folder, which closes next.
   */
  async close(): Promise<void> {
    this.closed = true;
    this.stopSync();
    const index = await this.started?.catch(() => undefined);
    await index?.close();
    await this.recent.save();
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
    let logged: number | undefined;
    const announce = () =>
      void index.idle().then(() => {
        this.emit('change');
        // The index's size in the log each time it settles at another size (servers arriving, leaving, changing).
        const stats = index.stats();
        if (stats.tools === logged) return;
        logged = stats.tools;
        const embedded = stats.embedder === null ? 'BM25 only' : `${stats.embeddedTools} tool texts embedded so far, ${stats.cachedVectors} vectors cached, ${stats.vectorSearch} vector search`;
        logger.info(stats, `tool index holds ${stats.tools} tools (${embedded})`);
      });
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
          ...(modelDir !== undefined && { modelDir: resolve(configDir, modelDir) }),
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
