import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { toCatalogTool, type Catalog } from '../catalog/catalog.js';
import type { CatalogTool } from '../catalog/tool.js';
import { formatIssues } from '../config/load.js';
import { loadEmbedder, type Embedder, type EmbedderSettings } from '../embedding/index.js';
import { createLogger, type Logger } from '../log.js';
import { foundTools } from './catalog-search.js';
import { syncToolIndex, toIndexableTool } from './catalog-sync.js';
import { confidenceModel } from './confidence.js';
import { DEFAULT_ROUTE_LIMIT, routeAnswer, routeFormat, routeLimit, routeQuery, type RouteAnswer } from './route-answer.js';
import type { ToolFormat } from './tool-formats.js';
import { ToolIndex, type RetrieverKind } from './tool-index.js';

/**
 * A tool to route over: an MCP tool definition (as a server's `tools/list` gives it) and the server it belongs to.
 * It is routed as `server__name`. A catalog's own tools (`CatalogTool`) keep the exposed names they have.
 */
export type RouterTool = Tool & { readonly server: string };

export interface RouterOptions {
  /** The tools to route over: a live catalog (the router follows its changes) or a fixed list. */
  readonly catalog?: Catalog;
  readonly tools?: ReadonlyArray<RouterTool | CatalogTool>;
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
  /** Tools the caller may use, by routed name; applied before the top-k cut. */
  readonly filter?: (name: string) => boolean;
}

export interface Router {
  readonly index: ToolIndex;
  /**
   * The tools most relevant to `query`, best first, as `POST /v1/route` answers: their definitions in the requested
   * format, each one's score and calibrated confidence, and whether anything matched well. Throws naming what is
   * wrong with `query` or `options`.
   */
  route(query: string, options?: RouteOptions): Promise<RouteAnswer>;
  /** Stops following the catalog. */
  close(): void;
}

export { DEFAULT_ROUTE_LIMIT };

const routerTool = z.looseObject({
  server: z.string({ error: 'the name of the server the tool belongs to is required' }).min(1, 'the server name must not be empty'),
  name: z.string({ error: 'the tool name is required' }).min(1, 'the tool name must not be empty'),
  description: z.string().optional(),
  inputSchema: z.looseObject({ type: z.literal('object', { error: 'must be a JSON Schema of type "object"' }) }, { error: 'required: a JSON Schema object' }),
});

const routeOptions = z.strictObject({
  limit: routeLimit.default(DEFAULT_ROUTE_LIMIT),
  format: routeFormat,
  filter: z.custom<(name: string) => boolean>((value) => typeof value === 'function', '`filter` must be a function').optional(),
});

/** For applications that pick tools before calling their LLM: ranks tools by relevance to a request. */
export async function createRouter(options: RouterOptions): Promise<Router> {
  const { catalog } = options;
  if (!catalog === !options.tools) throw new Error('createRouter needs exactly one of `catalog` or `tools`');
  const fixed = catalog ? new Map<string, CatalogTool>() : toolsByName(options.tools!);
  const logger = options.logger ?? createLogger('warn');
  const embedder = await resolveEmbedder(options.embedder, logger);
  const lookup = (name: string) => (catalog ? catalog.get(name) : fixed.get(name));
  const index = await ToolIndex.build((catalog?.all() ?? [...fixed.values()]).map((tool) => toIndexableTool(tool)), {
    ...(embedder && { embedder }),
    ...(options.stateDir !== undefined && { stateDir: options.stateDir }),
    logger,
  });
  const stopSync = catalog ? syncToolIndex(index, catalog, { logger }) : () => undefined;
  const kind = options.retriever ?? (embedder ? 'hybrid' : 'bm25');
  const retriever = index.retriever(kind);

  return {
    index,
    async route(query, routeOptionsGiven = {}) {
      const { limit, format, filter } = checked('route', routeOptions, routeOptionsGiven);
      const hits = await retriever.search(checked('route', routeQuery, query), { limit, ...(filter && { filter }) });
      return routeAnswer(foundTools(hits, lookup, confidenceModel(kind, index.embedder?.id)), format);
    },
    close: stopSync,
  };
}

/** The fixed tools by routed name, each checked; a name given twice is refused (one would shadow the other). */
function toolsByName(tools: ReadonlyArray<RouterTool | CatalogTool>): Map<string, CatalogTool> {
  const byName = new Map<string, CatalogTool>();
  tools.forEach((given, index) => {
    const tool = isCatalogTool(given) ? given : toCatalogTool(given.server, checked(`createRouter: tools[${index}]`, routerTool, given) as RouterTool);
    if (byName.has(tool.exposedName)) throw new Error(`createRouter: tools[${index}]: "${tool.exposedName}" is given twice`);
    byName.set(tool.exposedName, tool);
  });
  return byName;
}

function isCatalogTool(tool: RouterTool | CatalogTool): tool is CatalogTool {
  return typeof (tool as Partial<CatalogTool>).exposedName === 'string' && typeof (tool as Partial<CatalogTool>).hash === 'string';
}

/** `value` as `schema` parses it, or an error naming each problem: `route: limit: \`limit\` must be at least 1`. */
function checked<T extends z.ZodType>(where: string, schema: T, value: unknown): z.output<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw new TypeError(`${where}: ${formatIssues(result.error.issues).join('; ')}`);
  return result.data;
}

async function resolveEmbedder(
  embedder: RouterOptions['embedder'],
  logger: Logger,
): Promise<Embedder | undefined> {
  if (embedder === false) return undefined;
  if (embedder === undefined) return loadEmbedder({ backend: 'auto' }, logger);
  return 'embed' in embedder ? embedder : loadEmbedder(embedder, logger);
}
