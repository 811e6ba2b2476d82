import type { Logger } from '../../log.js';
import type { RecentSearch } from '../../retrieval/recent-searches.js';
import { recentSearchSchema, type RecentSearchStore } from '../recent-search-store.js';
import type { RedisConnection } from './redis-connection.js';

/**
 * The recent searches of every replica in one Redis list (`recent-searches`, JSON entries, oldest first): each
 * replica appends its own and trims the list to the newest, in one transaction.
 */
export class RedisRecentSearchStore implements RecentSearchStore {
  private readonly list: string;

  constructor(
    private readonly redis: RedisConnection,
    private readonly logger: Pick<Logger, 'warn'>,
  ) {
    this.list = redis.key('recent-searches');
  }

  async load(): Promise<RecentSearch[]> {
    const stored = await this.redis.run((commands) => commands.lrange(this.list, 0, -1));
    const searches = stored.flatMap((value) => {
      const parsed = recentSearchSchema.safeParse(parseJson(value));
      return parsed.success ? [parsed.data] : [];
    });
    const skipped = stored.length - searches.length;
    if (skipped > 0) this.logger.warn({ key: this.list, skipped }, `${this.list}: ${skipped} entries are not recent searches; left out`);
    return searches;
  }

  async append(searches: readonly RecentSearch[], keep: number): Promise<void> {
    if (searches.length === 0) return;
    const entries = searches.map(({ query, top }) => JSON.stringify({ query, top }));
    await this.redis.run((commands) => commands.multi().rpush(this.list, ...entries).ltrim(this.list, -keep, -1).exec());
  }
}

/** The JSON `text` holds; `undefined` (which no schema here accepts) when it holds none. */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
