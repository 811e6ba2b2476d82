import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CompleteRequestSchema,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ReadResourceRequestSchema,
  SetLevelRequestSchema,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
  type LoggingMessageNotification,
} from '@modelcontextprotocol/sdk/types.js';
import type { ListKind } from '../downstream/connection.js';
import type { Logger } from '../log.js';
import { callerTraceContext, traced, type Tracing } from '../observability/tracing.js';
import type { Principal } from '../policy/auth/principal.js';
import { passes } from '../surface/log-levels.js';
import type { DownstreamSurface } from '../surface/surface.js';
import { listPage } from './list-pages.js';
import { methodOnly, parseRequest } from './request-params.js';

/** What toolscope offers clients besides tools, whatever its servers offer: the lists are empty without them. */
export const SURFACE_CAPABILITIES = {
  resources: { subscribe: true, listChanged: true },
  prompts: { listChanged: true },
  logging: {},
  completions: {},
} as const;

export interface SurfaceSession {
  readonly id: string;
  readonly principal: Principal | undefined;
  readonly log: Logger;
  /** Starts lazy servers and waits (bounded) for those still connecting, as before a tools listing. */
  readonly catalogNeeded: () => Promise<void>;
  /** Items per page of the lists. */
  readonly listPageSize: number;
  /** Present while tracing is on: reads and prompt gets each run in a span. */
  readonly tracing?: Tracing | undefined;
}

/**
 * Answers a session's resources, prompts, logging and completion requests from the aggregated surface, and sends it
 * the notifications that concern it: list changes, updates of resources it subscribed to, log lines at its level.
 */
export function serveSurface(server: Server, surface: DownstreamSurface, session: SurfaceSession): () => void {
  const { principal } = session;
  const subscribed = new Map<string, { server: string; uri: string }>();
  const connected = () => server.getClientVersion() !== undefined;
  const notify = (send: () => Promise<void>) => {
    if (!connected()) return;
    send().catch((error: unknown) => session.log.debug({ err: error }, 'notification not sent'));
  };

  server.setRequestHandler(methodOnly('resources/list'), async (raw) => {
    const { params } = parseRequest(ListResourcesRequestSchema, raw);
    await session.catalogNeeded();
    return listPage('resources', await surface.listResources(principal), params?.cursor, session.listPageSize);
  });
  server.setRequestHandler(methodOnly('resources/templates/list'), async (raw) => {
    const { params } = parseRequest(ListResourceTemplatesRequestSchema, raw);
    await session.catalogNeeded();
    return listPage('resourceTemplates', await surface.listResourceTemplates(principal), params?.cursor, session.listPageSize);
  });
  const who = { principal: principal?.name };
  server.setRequestHandler(methodOnly('resources/read'), async (raw, extra) => {
    const { params } = parseRequest(ReadResourceRequestSchema, raw);
    // The span names no URI: it is the read's one argument.
    return traced(session.tracing, { method: 'resources/read', parent: callerTraceContext(extra), attributes: who }, async (trace) => {
      await session.catalogNeeded();
      return surface.readResource({ principal, signal: extra.signal, trace }, params.uri);
    });
  });
  server.setRequestHandler(methodOnly('resources/subscribe'), async (raw, extra) => {
    const { params } = parseRequest(SubscribeRequestSchema, raw);
    await session.catalogNeeded();
    if (!subscribed.has(params.uri)) subscribed.set(params.uri, await surface.subscribe({ principal, signal: extra.signal }, params.uri));
    return {};
  });
  server.setRequestHandler(methodOnly('resources/unsubscribe'), async (raw) => {
    const { params } = parseRequest(UnsubscribeRequestSchema, raw);
    const held = subscribed.get(params.uri);
    subscribed.delete(params.uri);
    if (held) await surface.unsubscribe(held);
    return {};
  });
  server.setRequestHandler(methodOnly('prompts/list'), async (raw) => {
    const { params } = parseRequest(ListPromptsRequestSchema, raw);
    await session.catalogNeeded();
    return listPage('prompts', await surface.listPrompts(principal), params?.cursor, session.listPageSize);
  });
  server.setRequestHandler(methodOnly('prompts/get'), async (raw, extra) => {
    const { params } = parseRequest(GetPromptRequestSchema, raw);
    return traced(session.tracing, { method: 'prompts/get', target: params.name, parent: callerTraceContext(extra), attributes: who }, async (trace) => {
      await session.catalogNeeded();
      return surface.getPrompt({ principal, signal: extra.signal, trace }, params.name, params.arguments ?? {});
    });
  });
  server.setRequestHandler(methodOnly('logging/setLevel'), async (raw) => {
    const { params } = parseRequest(SetLevelRequestSchema, raw);
    surface.setLogLevel(session.id, params.level);
    return {};
  });
  server.setRequestHandler(methodOnly('completion/complete'), async (raw, extra) => {
    const { params } = parseRequest(CompleteRequestSchema, raw);
    await session.catalogNeeded();
    return surface.complete({ principal, signal: extra.signal }, params);
  });

  const onListChanged = (kind: ListKind) =>
    notify(() => (kind === 'resources' ? server.sendResourceListChanged() : server.sendPromptListChanged()));
  const onResourceUpdated = (_server: string, uri: string) => {
    if (subscribed.has(uri)) notify(() => server.sendResourceUpdated({ uri }));
  };
  // Outside a call, a server's log lines go only to sessions that asked for logs and may use that server.
  const onLog = (from: string, params: LoggingMessageNotification['params']) => {
    const wanted = surface.logLevelOf(session.id);
    if (!wanted || !passes(params.level, wanted) || !surface.maySeeLogsOf(principal, from)) return;
    notify(() => server.notification({ method: 'notifications/message', params }));
  };
  surface.on('listChanged', onListChanged);
  surface.on('resourceUpdated', onResourceUpdated);
  surface.on('log', onLog);
  return () => {
    surface.off('listChanged', onListChanged);
    surface.off('resourceUpdated', onResourceUpdated);
    surface.off('log', onLog);
    surface.closeSession(session.id);
    for (const held of subscribed.values()) void surface.unsubscribe(held);
    subscribed.clear();
  };
}
