import { z } from 'zod';
import { configObject } from '../config/strict-object.js';

/** `exposure` section: how clients see the catalog. */
export const exposureSchema = configObject({
  /**
   * `search`: clients see `search_tools` and `call_tool`; `dynamic`: the same, and found tools join the session's
   * own list; `all`: every tool.
   */
  mode: z.enum(['search', 'dynamic', 'all']).default('search'),
  /** Exposed names (`server__tool`) listed in every session of the `search` and `dynamic` modes. */
  pinned: z.array(z.string().min(1)).default([]),
  /** `dynamic`: how many found tools one session's list holds before the least recently used leave. */
  maxSessionTools: z.number().int().min(1).max(500).default(32),
});

export type ExposureConfig = z.infer<typeof exposureSchema>;
