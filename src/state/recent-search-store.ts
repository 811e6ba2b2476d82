import { z } from 'zod';
import type { RecentSearch } from '../retrieval/recent-searches.js';

export const recentSearchSchema = z.object({ query: z.string(), top: z.string() });

/**
 * Where the recent searches the retrieval hijack check replays outlive a restart: the state folder (one toolscope)
 * or Redis (shared by replicas, so a replica started after an upgrade has the searches the others answered). Only
 * the query, secrets already redacted, and the tool found first are kept.
 */
export interface RecentSearchStore {
  /** The searches kept, oldest first. */
  load(): Promise<RecentSearch[]>;
  /** Adds `searches` (newer than every one kept) after those `load` read, and keeps the newest `keep`; one call at a time. */
  append(searches: readonly RecentSearch[], keep: number): Promise<void>;
}
