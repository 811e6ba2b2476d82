import { z } from 'zod';
import { configObject } from '../config/strict-object.js';

/**
 * Who may read `GET /metrics`. `loopback` (default): requests from this machine only (a local Prometheus or agent),
 * no token; `admin`: a bearer token of an admin principal, from anywhere the listener is reachable; `open`: anyone
 * who can reach the listener (a scraper on a private network); `off`: no `/metrics` route.
 */
export const METRICS_ACCESS = ['loopback', 'admin', 'open', 'off'] as const;
export type MetricsAccess = (typeof METRICS_ACCESS)[number];

export const metricsSchema = configObject({
  access: z.enum(METRICS_ACCESS).default('loopback'),
});

export type MetricsConfig = z.infer<typeof metricsSchema>;

/** An HTTP header name (RFC 9110 `token`). */
const HTTP_TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** What an HTTP header value may hold (RFC 9110, as Node checks it): no CR or LF, which would end the header early. */
const HTTP_FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/**
 * OpenTelemetry traces of each MCP request through the pipeline stages, and of each route API request, exported as
 * OTLP/HTTP (JSON). Off while `otlpEndpoint` is absent (the default): no OpenTelemetry module is loaded then.
 */
export const tracingSchema = configObject({
  /** Where spans are posted, e.g. `http://collector:4318/v1/traces` (the OTLP/HTTP traces path included). */
  otlpEndpoint: z.string().regex(/^https?:\/\/[^/]/, 'must be an http:// or https:// URL').optional(),
  /**
   * Headers sent with every export, e.g. `{"authorization": "Bearer ${env:OTLP_TOKEN}"}` for a hosted collector;
   * values may use `${env:NAME}`, so the secret need not be in the file. Never logged.
   */
  otlpHeaders: z
    .record(
      z.string().regex(HTTP_TOKEN, "must be an HTTP header name: letters, digits and !#$%&'*+-.^_`|~ only"),
      z.string().regex(HTTP_FIELD_VALUE, 'must not contain a line break, another control character or one above U+00FF'),
    )
    .default({}),
  /** `service.name` of the spans. */
  serviceName: z.string().min(1).default('toolscope'),
  /** Share of traces started here that are kept (0 to 1); a caller's `traceparent` decides for the traces it starts. */
  sampleRatio: z.number().min(0).max(1).default(1),
});

export type TracingConfig = z.infer<typeof tracingSchema>;
