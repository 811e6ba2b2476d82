import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import { McpError, type ServerNotification, type ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import type { CatalogTool } from '../catalog/tool.js';
import type { Logger } from '../log.js';
import { CallRefused, REFUSAL_META_KEY } from '../pipeline/refusal.js';
import type { TracingConfig } from './config.js';
import type { TraceCarrier } from './trace-context.js';

/** What a span says about a request: who, which server and tool. Never arguments, never tokens. */
export interface RequestAttributes {
  readonly principal?: string;
  readonly server?: string;
  readonly tool?: string;
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

/** A request as the tracer names it: the MCP method, and what it names when that is no argument (a tool, a prompt). */
export interface TracedRequest {
  readonly method: string;
  readonly target?: string;
  /** The caller's trace context: the request's span becomes its child. */
  readonly parent: TraceCarrier;
  readonly attributes: RequestAttributes;
}

export interface Tracing {
  /** Runs `work` in a span for one MCP request, recording its outcome. */
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
  const { OtelTracing } = await import('./otel-tracing.js');
  return new OtelTracing({ ...config, otlpEndpoint: config.otlpEndpoint }, logger);
}

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** Runs a request handler in a span when tracing is on; as is when it is off. */
export function traced<T>(
  tracing: Tracing | undefined,
  extra: Extra,
  request: Omit<TracedRequest, 'parent'>,
  work: (trace: RequestTrace | undefined) => Promise<T>,
): Promise<T> {
  if (!tracing) return work(undefined);
  return tracing.request({ ...request, parent: callerTraceContext(extra) }, work);
}

/**
 * The caller's trace context: `params._meta.traceparent` (SEP-414: it travels with the request over any transport),
 * else the HTTP request's `traceparent` header.
 */
function callerTraceContext(extra: Extra): TraceCarrier {
  const meta = extra._meta as Record<string, unknown> | undefined;
  if (typeof meta?.traceparent === 'string') return carrier(meta.traceparent, meta.tracestate);
  const headers = extra.requestInfo?.headers ?? {};
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
 * `REFUSAL_META_KEY` (in a tool result, or a JSON-RPC error's data) or as a CallRefused.
 */
export function requestOutcome(settled: { result: unknown } | { error: unknown }): RequestOutcome {
  if ('error' in settled) {
    const { error } = settled;
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
