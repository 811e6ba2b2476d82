import { AsyncLocalStorage } from 'node:async_hooks';
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';

/** W3C Trace Context as an HTTP request's headers or an MCP request's `params._meta` carry it (SEP-414). */
export interface TraceCarrier {
  traceparent?: string;
  tracestate?: string;
}

/** The trace context of the span the current work runs in; set only while tracing is on. */
const active = new AsyncLocalStorage<TraceCarrier>();

/** Runs `work` as part of the span `carrier` names: what it sends downstream carries that span as its parent. */
export function runInSpan<T>(carrier: TraceCarrier, work: () => Promise<T>): Promise<T> {
  return active.run(carrier, work);
}

export function activeTraceCarrier(): TraceCarrier | undefined {
  return active.getStore();
}

/** To spread into a downstream request's params: `_meta` with the span it is made in (SEP-414); nothing outside one. */
export function traceMeta(): { _meta?: Record<string, string> } {
  const carrier = active.getStore();
  return carrier?.traceparent ? { _meta: { ...carrier } } : {};
}

/** A fetch for the SDK's HTTP client transports that sends the active span's `traceparent` (and `tracestate`). */
export function traceHeadersFetch(base: FetchLike): FetchLike {
  return (url, init) => {
    const carrier = active.getStore();
    if (!carrier?.traceparent) return base(url, init);
    const headers = new Headers(init?.headers);
    headers.set('traceparent', carrier.traceparent);
    if (carrier.tracestate) headers.set('tracestate', carrier.tracestate);
    return base(url, { ...init, headers });
  };
}
