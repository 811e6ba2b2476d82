import { z } from 'zod';
import { configObject } from './strict-object.js';
import { authSchema, mappedPrincipals } from './auth.js';
import { exposureSchema } from '../exposure/config.js';
import { limitsSchema } from './limits.js';
import { policySections } from './policy.js';
import { retrievalSchema } from './retrieval.js';
import { sandboxHostSchema } from './sandbox.js';
import { serversSchema } from './servers.js';
import { stateSchema } from '../state/config.js';
import { metricsSchema, tracingSchema } from '../observability/config.js';

/** The whole `toolscope.json`. Each section's schema lives beside the code it configures. */
export const configSchema = configObject({
  /** Where pins, embeddings, audit log and tokens are kept; relative to the config file. */
  stateDir: z.string().default('.toolscope'),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  servers: serversSchema.default({}),
  exposure: exposureSchema.prefault({}),
  retrieval: retrievalSchema.prefault({}),
  limits: limitsSchema.prefault({}),
  sandbox: sandboxHostSchema.prefault({}),
  /** Where what replicas must agree on is kept: `file` (one toolscope) or `redis` (several, sharing it). */
  state: stateSchema.default({ backend: 'file' }),
  /** Who may read `GET /metrics`. */
  metrics: metricsSchema.prefault({}),
  /** OpenTelemetry traces of each request and its pipeline stages; off unless `otlpEndpoint` is set. */
  tracing: tracingSchema.prefault({}),
  ...policySections,
  /** How HTTP callers authenticate besides static bearer tokens: `oauth` (JWTs from an authorization server). */
  auth: authSchema.prefault({}),
}).superRefine((config, ctx) => {
  for (const { path, principal } of mappedPrincipals(config.auth)) {
    if (!(principal in config.principals)) ctx.addIssue({ code: 'custom', path, message: `names no principal in "principals" (add principals.${principal})` });
  }
});

export type ToolscopeConfig = z.infer<typeof configSchema>;
