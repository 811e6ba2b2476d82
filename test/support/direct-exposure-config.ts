/**
 * Config sections many gateway tests share: every tool listed under its own name (`exposure: all`, so tests
 * call tools directly), and the offline embedder, so no test waits on a model download that cannot happen.
 */
export const DIRECT_EXPOSURE_CONFIG = {
  exposure: { mode: 'all' },
  retrieval: { embedder: { backend: 'use-lite' } },
} as const;
