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
