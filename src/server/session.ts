import { randomUUID } from 'node:crypto';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { RequestHandlerExtra, RequestOptions } from '@modelcontextprotocol/sdk/shared/protocol.js';
import {
  CallToolRequestSchema,
  type CallToolRequest,
  ErrorCode,
  ListToolsRequestSchema,
  type CallToolResult,
  type LoggingLevel,
  type ServerNotification,
  type ServerRequest,
} from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { Catalog } from '../catalog/catalog.js';
import type { CatalogTool } from '../catalog/tool.js';
import { didYouMeanNames, shownName } from '../exposure/name-suggestions.js';
import type { ExposureMode, ExposureSession } from '../exposure/types.js';
import type { Logger } from '../log.js';
import { callAttributes, callerTraceContext, traced, type RequestTrace, type Tracing } from '../observability/tracing.js';
import type { RelayScope } from '../policy/scopes/relay-scope.js';
import type { CallContext, ClientChannel, ClientRequestOptions } from '../pipeline/call-context.js';
import type { Principal } from '../policy/auth/principal.js';
import type { CallHandler } from '../pipeline/compose.js';
import { MAX_QUERY_LENGTH } from '../retrieval/catalog-search.js';
import { passes } from '../surface/log-levels.js';
import type { DownstreamSurface } from '../surface/surface.js';
import { listPage } from './list-pages.js';
import { MAX_ARGUMENT_DEPTH, methodOnly, nestsDeeperThan, parseRequest } from './request-params.js';
import { serveSurface, SURFACE_CAPABILITIES } from './surface-handlers.js';
import { VERSION } from '../version.js';
import { protocolError } from '../protocol-error.js';

const SERVER_INFO = { name: 'toolscope', version: VERSION };

/** `tools/list` as the SDK parses it, plus the draft SEP-1821 `query` (the SDK schema would strip it). */
const ListToolsWithQuerySchema = ListToolsRequestSchema.extend({
  params: z
    .looseObject({ cursor: z.string().optional(), query: z.string().max(MAX_QUERY_LENGTH).optional() })
    .optional(),
});

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** What a client session is served from; the gateway provides it. */
export interface SessionDeps {
  readonly catalog: Catalog;
  readonly exposure: ExposureMode;
  readonly pipeline: CallHandler;
  /** Resources, prompts, logging and completion of the downstream servers. */
  readonly surface: DownstreamSurface;
  readonly logger: Logger;
  /** The relay scope in effect now: why a server's request may not be relayed to a principal's client, or undefined. */
  readonly relayScope: () => Pick<RelayScope, 'refusal'>;
  /** A client is about to use the catalog: starts lazy servers; resolves when the catalog is worth reading. */
  readonly catalogNeeded: () => Promise<void>;
  /** Items per page of tools/list and the surface's lists (`limits.listPageSize`). */
  readonly listPageSize: number;
  /** Present while tracing is on: tool calls, searches, reads and prompt gets each run in a span. */
  readonly tracing?: Tracing;
}

/**
 * One client session: a low-level SDK `Server` (so downstream JSON Schemas pass through untouched) whose
 * `tools/list` comes from the exposure mode and whose `tools/call` runs the call pipeline; resources, prompts,
 * logging and completion come from the aggregated surface.
 */
export function createSessionServer(deps: SessionDeps, principal: Principal | undefined): Server {
  const server = new Server(SERVER_INFO, { capabilities: { tools: { listChanged: true }, ...SURFACE_CAPABILITIES } });
  const id = randomUUID();
  const log = deps.logger.child({ session: id });
  const exposure: ExposureSession = deps.exposure.openSession({
    id,
    principal,
    notifyToolsChanged: () => {
      // Before `initialized` the client has not listed anything yet, so there is nothing to invalidate.
      if (!server.getClientVersion()) return;
      server.sendToolListChanged().catch((error: unknown) => log.debug({ err: error }, 'list_changed not sent'));
    },
  });
  const stopSurface = serveSurface(server, deps.surface, {
    id,
    principal,
    log,
    catalogNeeded: deps.catalogNeeded,
    listPageSize: deps.listPageSize,
    tracing: deps.tracing,
  });
  const who = { principal: principal?.name };
  server.onclose = () => {
    exposure.close();
    stopSurface();
  };

  server.setRequestHandler(methodOnly('tools/list'), async (raw, extra) => {
    const request = parseRequest(ListToolsWithQuerySchema, raw);
    const query = request.params?.query;
    const list = async () => {
      await deps.catalogNeeded();
      return listPage('tools', await exposure.listTools(query === undefined ? {} : { query }), request.params?.cursor, deps.listPageSize);
    };
    // A listing with a query is a search: traced as one (the query itself is left out of the span).
    return query === undefined ? list() : traced(deps.tracing, { method: 'tools/list', parent: callerTraceContext(extra), attributes: who }, list);
  });

  server.setRequestHandler(methodOnly('tools/call'), async (raw, extra): Promise<CallToolResult> => {
    const request = parseRequest(CallToolRequestSchema, raw);
    const { name } = request.params;
    return traced(deps.tracing, { method: 'tools/call', target: name, parent: callerTraceContext(extra), attributes: who }, (trace) => callTool(request.params, extra, trace));
  });

  const callTool = async (params: CallToolRequest['params'], extra: Extra, trace: RequestTrace | undefined): Promise<CallToolResult> => {
    await deps.catalogNeeded();
    const { name, arguments: args = {} } = params;
    const resolution = exposure.resolveCall(name);
    if (!resolution) {
      throw protocolError(ErrorCode.InvalidParams, `unknown tool "${shownName(name)}"${didYouMeanNames(exposure.closestNames(name))}`);
    }
    // Taken once, like the call's pipeline stages: the call relays under the policy it started with.
    const relayScope = deps.relayScope();
    const client = clientChannel(server, id, extra, log, (from, request) => relayScope.refusal(principal, from, request), () =>
      deps.surface.logLevelOf(id),
    );
    // Checked here, where direct calls and meta tools (whose arguments may arrive as a JSON string) meet.
    const runCatalogTool = async (tool: CatalogTool, toolArgs: Record<string, unknown>) => {
      if (nestsDeeperThan(toolArgs, MAX_ARGUMENT_DEPTH)) {
        throw protocolError(ErrorCode.InvalidParams, `arguments nest more than ${MAX_ARGUMENT_DEPTH} levels deep`);
      }
      trace?.annotate(callAttributes(tool));
      return deps.pipeline(callContext(tool, toolArgs, principal, extra.signal, client, trace));
    };
    if (resolution.kind === 'catalog') return runCatalogTool(resolution.tool, args);
    return resolution.tool.run(args, {
      principal,
      signal: extra.signal,
      callTool: async (exposedName, toolArgs) => {
        const tool = deps.catalog.get(exposedName);
        if (!tool) {
          return { isError: true, content: [{ type: 'text', text: `unknown tool "${exposedName}"` }] };
        }
        return runCatalogTool(tool, toolArgs);
      },
    });
  };

  return server;
}

function callContext(
  tool: CatalogTool,
  args: Record<string, unknown>,
  principal: Principal | undefined,
  signal: AbortSignal,
  client: ClientChannel,
  trace: RequestTrace | undefined,
): CallContext {
  return {
    callId: randomUUID(),
    principal,
    tool,
    arguments: args,
    signal,
    client,
    decisions: [],
    startedAt: Date.now(),
    ...(trace && { trace }),
  };
}

/**
 * What this call may ask of its client: only what the client declared, and progress only under a token it sent.
 * Everything rides on the call's own stream (its HTTP response) and is cancelled with the call.
 */
function clientChannel(
  server: Server,
  session: string,
  extra: Extra,
  log: Logger,
  relayRefusal: NonNullable<ClientChannel['relayRefusal']>,
  logLevel: () => LoggingLevel | undefined,
): ClientChannel {
  const declared = server.getClientCapabilities() ?? {};
  const progressToken = extra._meta?.progressToken;
  const requestOptions = (options: ClientRequestOptions = {}): RequestOptions => ({
    relatedRequestId: extra.requestId,
    signal: options.signal ? AbortSignal.any([extra.signal, options.signal]) : extra.signal,
    ...(options.timeoutMs !== undefined && { timeout: options.timeoutMs }),
  });
  return {
    session,
    relayRefusal,
    ...(progressToken !== undefined && {
      progress: (progress) =>
        void extra
          .sendNotification({ method: 'notifications/progress', params: { ...progress, progressToken } })
          .catch((error: unknown) => log.debug({ err: error }, 'progress not sent')),
    }),
    // A server's log line sent during the call rides on the call's stream, as its progress does.
    log: (params) => {
      const wanted = logLevel();
      if (wanted && !passes(params.level, wanted)) return;
      void extra
        .sendNotification({ method: 'notifications/message', params })
        .catch((error: unknown) => log.debug({ err: error }, 'log message not sent'));
    },
    ...(declared.elicitation && { elicit: (params, options) => server.elicitInput(params, requestOptions(options)) }),
    ...(declared.sampling && {
      createMessage: (params, options) => server.createMessage(params, requestOptions(options)),
    }),
    ...(declared.roots && { listRoots: (options) => server.listRoots(undefined, requestOptions(options)) }),
  };
}
