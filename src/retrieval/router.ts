import type { Catalog } from '../catalog/catalog.js';
import type { CatalogTool } from '../catalog/tool.js';
import { loadEmbedder, type Embedder, type EmbedderSettings } from '../embedding/index.js';
import { toolDefinition } from '../exposure/tool-definition.js';
import { createLogger, type Logger } from '../log.js';
import { syncToolIndex, toIndexableTool } from './catalog-sync.js';
import { formatTool, type ToolDefinition, type ToolFormat } from './tool-formats.js';
import { ToolIndex, type RetrieverKind } from './tool-index.js';

export interface RouterOptions {
  /** The tools to route over: a live catalog (the router follows its changes) or a fixed list. */
  readonly catalog?: Catalog;
  readonly tools?: readonly CatalogTool[];
  /** An embedder, the settings to load one, or `false` for lexical retrieval only. Default: `{ backend: 'auto' }`. */
  readonly embedder?: Embedder | EmbedderSettings | false;
  /** Where embeddings are cached between runs; memory only without it. */
  readonly stateDir?: string;
  /** Default `hybrid` (`bm25` when there is no embedder). */
  readonly retriever?: RetrieverKind;
  readonly logger?: Logger;
}

export interface RouteOptions {
  /** Default 5. */
  readonly limit?: number;
  /** Default `mcp`. */
  readonly format?: ToolFormat;
  /** Tools the caller may use; applied before the top-k cut. */
  readonly filter?: (name: string) => boolean;
}

export interface Router {
  readonly index: ToolIndex;
  /** The tool definitions most relevant to `query`, best first, in the requested format. */
  route(query: string, options?: RouteOptions): Promise<ToolDefinition[]>;
  /** Stops following the catalog. */
  close(): void;
}

export const DEFAULT_ROUTE_LIMIT = 5;

/** For applications that pick tools before calling their LLM: ranks tools by relevance to a request. */
export async function createRouter(options: RouterOptions): Promise<Router> {
  const { catalog } = options;
  if (!catalog === !options.tools) throw new Error('createRouter needs exactly one of `catalog` or `tools`');
  const logger = options.logger ?? createLogger('warn');
  const embedder = await resolveEmbedder(options.embedder, logger);
  const fixed = new Map((options.tools ?? []).map((tool) => [tool.exposedName, tool]));
  const lookup = (name: string) => (catalog ? catalog.get(name) : fixed.get(name));
  const index = await ToolIndex.build((catalog?.all() ?? [...fixed.values()]).map((tool) => toIndexableTool(tool)), {
    ...(embedder && { embedder }),
    ...(options.stateDir !== undefined && { stateDir: options.stateDir }),
    logger,
  });
  const stopSync = catalog ? syncToolIndex(index, catalog, { logger }) : () => undefined;
  const retriever = index.retriever(options.retriever ?? (embedder ? 'hybrid' : 'bm25'));

  return {
    index,
    async route(query, routeOptions = {}) {
      const { limit = DEFAULT_ROUTE_LIMIT, format = 'mcp', filter } = routeOptions;
      const found = await retriever.search(query, { limit, ...(filter && { filter }) });
      return found.flatMap(({ id }) => {
        const tool = lookup(id);
        return tool ? [formatTool(toolDefinition(tool), format)] : [];
      });
    },
    close: stopSync,
  };
}

async function resolveEmbedder(
  embedder: RouterOptions['embedder'],
  logger: Logger,
): Promise<Embedder | undefined> {
  if (embedder === false) return undefined;
  if (embedder === undefined) return loadEmbedder({ backend: 'auto' }, logger);
  return 'embed' in embedder ? embedder : loadEmbedder(embedder, logger);
}
