import { z } from 'zod';
import { configObject } from '../config/strict-object.js';

/** Where toolscope keeps what replicas must agree on: rate buckets, approvals, pins and quarantine, tokens, sessions. */
const fileStateSchema = configObject({
  /** Today's single-process state: the state folder, and rate buckets in memory. */
  backend: z.literal('file'),
});

const redisStateSchema = configObject({
  /** Shared state in Redis, for several replicas behind one load balancer. */
  backend: z.literal('redis'),
  /**
   * `redis://[[user]:password@]host:port[/db]`, `rediss://…` (TLS) or `unix:///path/to/redis.sock`; `${env:NAME}`
   * may stand for any part (e.g. the password), and is never logged.
   */
  url: z.string().regex(/^(rediss?:\/\/|unix:\/\/)/, 'must start with redis://, rediss:// or unix://'),
  /** Put before every key, so several toolscope deployments can share one Redis. */
  keyPrefix: z
    .string()
    .regex(/^[A-Za-z0-9:_.-]{1,64}$/, 'letters, digits and ":_.-", at most 64')
    .default('toolscope:'),
  /** `shared`: tool embeddings are kept in Redis too, so one replica embeds a tool and the others reuse it. */
  embeddings: z.enum(['shared', 'local']).default('shared'),
  /** Milliseconds one Redis command may take before the operation fails (closed). */
  commandTimeoutMs: z.number().int().positive().max(60_000).default(2_000),
});

export const stateSchema = z.discriminatedUnion('backend', [fileStateSchema, redisStateSchema], {
  error: 'must be {"backend": "file"} or {"backend": "redis", "url": "redis://…"}',
});

export type StateConfig = z.infer<typeof stateSchema>;
export type RedisStateConfig = z.infer<typeof redisStateSchema>;
