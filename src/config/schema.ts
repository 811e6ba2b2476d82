import { z } from 'zod';
import { configObject } from './strict-object.js';
import { exposureSchema } from '../exposure/config.js';
import { limitsSchema } from './limits.js';
import { policySections } from './policy.js';
import { retrievalSchema } from './retrieval.js';
import { sandboxHostSchema } from './sandbox.js';
import { serversSchema } from './servers.js';
import { stateSchema } from '../state/config.js';

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
  ...policySections,
});

export type ToolscopeConfig = z.infer<typeof configSchema>;
