import { diag, DiagLogLevel, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Span, type Tracer } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace-base';
import type { Logger } from '../log.js';
import { VERSION } from '../version.js';
import type { TracingConfig } from './config.js';
import { activeTraceCarrier, runInSpan, type TraceCarrier } from './trace-context.js';
import { requestOutcome, type RequestAttributes, type RequestOutcome, type RequestTrace, type TracedRequest, type Tracing } from './tracing.js';

const propagator = new W3CTraceContextPropagator();

/** Stage spans that call out of toolscope (to the downstream server) are client spans. */
const CLIENT_STAGES: ReadonlySet<string> = new Set(['forward']);

/**
 * Tracing with the OpenTelemetry SDK: spans batched and posted to `otlpEndpoint` as OTLP/HTTP JSON. Loaded only when
 * tracing is on (see `startTracing`). The span a piece of work runs in travels as its W3C trace context
 * (`runInSpan`), which is also what downstream requests carry.
 */
export class OtelTracing implements Tracing {
  private readonly provider: BasicTracerProvider;
  private readonly tracer: Tracer;
  private readonly log: Logger;

  /** `config` as `startTracing` resolves it: the endpoint set, the headers' `${env:…}` references replaced. */
  constructor(config: TracingConfig & { otlpEndpoint: string }, logger: Logger) {
    // The exporter reports a collector it cannot reach through OpenTelemetry's diagnostics: into toolscope's log.
    const log = (this.log = logger.child({ component: 'tracing' }));
    diag.setLogger(
      {
        error: (message) => log.warn(message),
        warn: (message) => log.warn(message),
        info: () => undefined,
        debug: () => undefined,
        verbose: () => undefined,
      },
      DiagLogLevel.WARN,
    );
    this.provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': config.serviceName, 'service.version': VERSION }),
      sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(config.sampleRatio) }),
      spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: config.otlpEndpoint, headers: config.otlpHeaders }))],
    });
    this.tracer = this.provider.getTracer('toolscope', VERSION);
  }

  async request<T>(request: TracedRequest, work: (trace: RequestTrace) => Promise<T>): Promise<T> {
    const span = this.tracer.startSpan(
      spanName(request),
      { kind: SpanKind.SERVER, attributes: { ...protocolAttributes(request), ...spanAttributes(request.attributes) } },
      propagator.extract(ROOT_CONTEXT, request.parent, carrierGetter),
    );
    const requestTrace: RequestTrace = {
      annotate: (attributes) => span.setAttributes(spanAttributes(attributes)),
      stage: (stage, stageWork) => this.stage(stage, stageWork),
    };
    try {
      const result = await runInSpan(carrierOf(span), () => work(requestTrace));
      markOutcome(span, requestOutcome({ result }));
      return result;
    } catch (error) {
      markOutcome(span, requestOutcome({ error }));
      throw error;
    } finally {
      span.end();
    }
  }

  /** A stage's span, within the span of the work it runs in. */
  private async stage<T>(name: string, work: () => Promise<T>): Promise<T> {
    const parent = propagator.extract(ROOT_CONTEXT, activeTraceCarrier() ?? {}, carrierGetter);
    const span = this.tracer.startSpan(
      name,
      { kind: CLIENT_STAGES.has(name) ? SpanKind.CLIENT : SpanKind.INTERNAL, attributes: { 'toolscope.stage': name } },
      parent,
    );
    try {
      const result = await runInSpan(carrierOf(span), work);
      span.setAttribute('toolscope.outcome', requestOutcome({ result }).outcome);
      return result;
    } catch (error) {
      const outcome = requestOutcome({ error });
      // The stage that refused says so; the stages around it only pass the refusal on.
      if (outcome.outcome === 'refused' && outcome.stage === name) markOutcome(span, outcome);
      else span.setAttribute('toolscope.outcome', outcome.outcome);
      throw error;
    } finally {
      span.end();
    }
  }

  async shutdown(): Promise<void> {
    // A collector out of reach loses the last spans; it must not fail the shutdown.
    await this.provider.shutdown().catch((error: unknown) => this.log.warn({ err: error }, 'spans not exported at shutdown'));
  }
}

const carrierGetter = {
  keys: (carrier: TraceCarrier) => Object.keys(carrier),
  get: (carrier: TraceCarrier, key: string) => (key === 'traceparent' || key === 'tracestate' ? carrier[key] : undefined),
};

function carrierOf(span: Span): TraceCarrier {
  const carrier: TraceCarrier = {};
  propagator.inject(trace.setSpan(ROOT_CONTEXT, span), carrier, {
    set: (target, key, value) => {
      if (key === 'traceparent' || key === 'tracestate') target[key] = value;
    },
  });
  return carrier;
}

/** `tools/call NAME` for an MCP request; `POST /v1/route` for one to the HTTP API (OpenTelemetry's HTTP server span name). */
function spanName(request: TracedRequest): string {
  if ('route' in request) return `${request.method} ${request.route}`;
  return request.target ? `${request.method} ${request.target}` : request.method;
}

function protocolAttributes(request: TracedRequest): Attributes {
  if ('route' in request) return { 'http.request.method': request.method, 'http.route': request.route };
  return { 'mcp.method.name': request.method };
}

function spanAttributes(attributes: RequestAttributes): Attributes {
  const { search } = attributes;
  return {
    ...(attributes.principal !== undefined && { 'toolscope.principal': attributes.principal }),
    ...(attributes.server !== undefined && { 'toolscope.server': attributes.server }),
    ...(attributes.tool !== undefined && { 'toolscope.tool': attributes.tool }),
    ...(search && {
      'toolscope.search.tools': search.tools,
      'toolscope.search.match': search.match,
      'toolscope.search.confidence': search.confidence,
    }),
  };
}

/** How the work in `span` ended: its outcome, and for a refusal the refusing stage, as an error status. */
function markOutcome(span: Span, outcome: RequestOutcome): void {
  span.setAttribute('toolscope.outcome', outcome.outcome);
  if (outcome.outcome === 'refused') {
    span.setAttribute('toolscope.refusal.stage', outcome.stage);
    span.setStatus({ code: SpanStatusCode.ERROR, message: `refused at the ${outcome.stage} stage` });
  } else if (outcome.outcome === 'error') {
    span.setStatus({ code: SpanStatusCode.ERROR });
  }
}
