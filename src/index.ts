/** toolscope as a library: build a gateway from a config and serve it, or use its parts. */
export { createGateway, Gateway, LOCAL_PRINCIPAL } from './gateway.js';
export type { GatewayOptions, GatewayStatus } from './gateway.js';

export { ConfigError, loadConfig, parseConfig } from './config/load.js';
export type { LoadedConfig } from './config/load.js';
export type { ToolscopeConfig } from './config/schema.js';
export type { ServerConfig, StdioServerConfig, HttpServerConfig } from './config/servers.js';

export { Catalog, toCatalogTool } from './catalog/catalog.js';
export type { CatalogChange } from './catalog/catalog.js';
export type { CatalogTool, JsonSchema } from './catalog/tool.js';
export { exposedToolName } from './catalog/naming.js';
export { toolContentHash } from './catalog/tool-hash.js';

export type { ServerState, ServerStatus } from './downstream/supervisor.js';

export type { CallContext, CallStage, ClientChannel, StageDecision } from './pipeline/call-context.js';
export type { Credential, Principal } from './policy/auth/principal.js';
export { composeStages } from './pipeline/compose.js';
export type { CallHandler } from './pipeline/compose.js';
export { CallRefused } from './pipeline/refusal.js';
export { buildPipeline, pipelineStages } from './pipeline/build.js';
export type { PipelineDeps } from './pipeline/build.js';

export type {
  ExposureMode,
  ExposureSession,
  MetaTool,
  SessionPeer,
  ToolListRequest,
  ToolResolution,
} from './exposure/types.js';

export { serveHttp } from './server/http.js';
export type { RunningHttpServer } from './server/http.js';
export { serveStdio } from './server/stdio.js';
export { parseListenAddress } from './server/loopback.js';

export { createLogger } from './log.js';
export type { Logger } from './log.js';

export { createRouter, DEFAULT_ROUTE_LIMIT } from './retrieval/router.js';
export type { Router, RouterOptions, RouteOptions, RouterTool } from './retrieval/router.js';
export type { RouteAnswer, RouteMatch } from './retrieval/route-answer.js';
export { formatTool } from './retrieval/tool-formats.js';
export type { ToolDefinition, ToolFormat, OpenAiToolDefinition, AnthropicToolDefinition } from './retrieval/tool-formats.js';
export { ToolIndex } from './retrieval/tool-index.js';
export type { RetrieverKind, ToolIndexOptions, ToolIndexStats } from './retrieval/tool-index.js';
export { toIndexableTool, syncToolIndex } from './retrieval/catalog-sync.js';
export type { IndexableTool, Retriever, ScoredTool, SearchOptions } from './retrieval/types.js';
export { loadEmbedder } from './embedding/index.js';
export type { Embedder, EmbedderSettings } from './embedding/index.js';
