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

/**
 * OpenTelemetry traces of each MCP request through the pipeline stages, and of each route API request, exported as
 * OTLP/HTTP (JSON). Off while `otlpEndpoint` is absent (the default): no OpenTelemetry module is loaded then.
 */
export const tracingSchema = configObject({
  /** Where spans are posted, e.g. `http://collector:4318/v1/traces` (the OTLP/HTTP traces path included). */
  otlpEndpoint: z.string().regex(/^https?:\/\/[^/]/, 'must be an http:// or https:// URL').optional(),
  /** `service.name` of the spans. */
  serviceName: z.string().min(1).default('toolscope'),
  /** Share of traces started here that are kept (0 to 1); a caller's `traceparent` decides for the traces it starts. */
  sampleRatio: z.number().min(0).max(1).default(1),
});

export type TracingConfig = z.infer<typeof tracingSchema>;
