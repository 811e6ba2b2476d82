import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import { McpError, type ServerNotification, type ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import type { CatalogTool } from '../catalog/tool.js';
import { expandEnvRecord } from '../config/env-reference.js';
import type { Logger } from '../log.js';
import { CallRefused, REFUSAL_META_KEY } from '../pipeline/refusal.js';
import type { MatchQuality } from '../retrieval/confidence.js';
import type { TracingConfig } from './config.js';
import type { TraceCarrier } from './trace-context.js';

/** What a span says about a request: who, which server and tool, what a search found. Never arguments or queries, never tokens. */
export interface RequestAttributes {
  readonly principal?: string;
  readonly server?: string;
  readonly tool?: string;
  readonly search?: SearchFound;
}

/** What a search returned: how many tools, and whether the best is a good match (`none`: no good match) and how sure. */
export interface SearchFound {
  readonly tools: number;
  readonly match: MatchQuality;
  readonly confidence: number;
}

/** How a request ended: answered, failed (a tool error, a server's or toolscope's), or refused at a stage. */
export type RequestOutcome = { readonly outcome: 'ok' | 'error' } | { readonly outcome: 'refused'; readonly stage: string };

/** The span of one MCP request, for what runs within it. */
export interface RequestTrace {
  /** Adds what became known on the way: the server and tool a call resolved to. */
  annotate(attributes: RequestAttributes): void;
  /** Runs one pipeline stage in a span of its own, within the span it runs in (the request's, or the stage before). */
  stage<T>(name: string, work: () => Promise<T>): Promise<T>;
}

/** An MCP request as the tracer names it: the method, and what it names when that is no argument (a tool, a prompt). */
export interface McpRequest {
  readonly method: string;
  readonly target?: string;
  readonly attributes: RequestAttributes;
}

/** A request to toolscope's HTTP API (not MCP), named by its HTTP method and route. */
export interface HttpApiRequest {
  readonly method: string;
  readonly route: string;
  readonly attributes: RequestAttributes;
}

export type TracedRequest = (McpRequest | HttpApiRequest) & {
  /** The caller's trace context: the request's span becomes its child. */
  readonly parent: TraceCarrier;
};

export interface Tracing {
  /** Runs `work` in a span for one request (MCP or the HTTP API), recording its outcome. */
  request<T>(request: TracedRequest, work: (trace: RequestTrace) => Promise<T>): Promise<T>;
  /** Exports the spans not sent yet, then stops. */
  shutdown(): Promise<void>;
}

/**
 * The tracer `tracing` asks for, or undefined while `tracing.otlpEndpoint` is unset: OpenTelemetry is imported only
 * then, so with tracing off none of it is loaded.
 */
export async function startTracing(config: TracingConfig, logger: Logger): Promise<Tracing | undefined> {
  if (!config.otlpEndpoint) return undefined;
  // A header naming an unset variable stops the start here, saying which; the values go to the exporter alone.
  const otlpHeaders = expandEnvRecord(config.otlpHeaders, 'tracing.otlpHeaders');
  const { OtelTracing } = await import('./otel-tracing.js');
  return new OtelTracing({ ...config, otlpEndpoint: config.otlpEndpoint, otlpHeaders }, logger);
}

/** Runs a request handler in a span when tracing is on; as is when it is off. */
export function traced<T>(tracing: Tracing | undefined, request: TracedRequest, work: (trace: RequestTrace | undefined) => Promise<T>): Promise<T> {
  return tracing ? tracing.request(request, work) : work(undefined);
}

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/**
 * An MCP caller's trace context: `params._meta.traceparent` (SEP-414: it travels with the request over any
 * transport), else the HTTP request's `traceparent` header.
 */
export function callerTraceContext(extra: Extra): TraceCarrier {
  const meta = extra._meta as Record<string, unknown> | undefined;
  if (typeof meta?.traceparent === 'string') return carrier(meta.traceparent, meta.tracestate);
  return headerTraceContext(extra.requestInfo?.headers ?? {});
}

/** The trace context of an HTTP request's `traceparent` (and `tracestate`) headers. */
export function headerTraceContext(headers: Readonly<Record<string, string | string[] | undefined>>): TraceCarrier {
  return carrier(headers.traceparent, headers.tracestate);
}

function carrier(traceparent: unknown, tracestate: unknown): TraceCarrier {
  return {
    ...(typeof traceparent === 'string' && { traceparent }),
    ...(typeof tracestate === 'string' && { tracestate }),
  };
}

/**
 * What became of a request, from what its handler returned or threw: a refusal is known by its facts under
 * `REFUSAL_META_KEY` (in a tool result, or a JSON-RPC error's data) or as a CallRefused, thrown or as the `cause` of
 * what was thrown (the HTTP API's 429 for a search over its limit).
 */
export function requestOutcome(settled: { result: unknown } | { error: unknown }): RequestOutcome {
  if ('error' in settled) {
    const error = settled.error instanceof Error && settled.error.cause instanceof CallRefused ? settled.error.cause : settled.error;
    if (error instanceof CallRefused) return { outcome: 'refused', stage: error.stage };
    const stage = error instanceof McpError ? refusalStage(error.data) : undefined;
    return stage ? { outcome: 'refused', stage } : { outcome: 'error' };
  }
  const result = settled.result as { isError?: unknown; _meta?: unknown } | undefined;
  if (result?.isError !== true) return { outcome: 'ok' };
  const stage = refusalStage(result._meta);
  return stage ? { outcome: 'refused', stage } : { outcome: 'error' };
}

function refusalStage(facts: unknown): string | undefined {
  const refusal = (facts as Record<string, unknown> | undefined)?.[REFUSAL_META_KEY] as { stage?: unknown } | undefined;
  return typeof refusal?.stage === 'string' ? refusal.stage : undefined;
}

/** The server and tool (or prompt) a call goes to; a resource's URI is left out, being the read's one argument. */
export function callAttributes(tool: CatalogTool): RequestAttributes {
  return { server: tool.server, ...(tool.read?.kind !== 'resource' && { tool: tool.exposedName }) };
}
