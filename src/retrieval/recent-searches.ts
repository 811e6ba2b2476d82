import type { Logger } from '../log.js';
import type { RecentSearchStore } from '../state/recent-search-store.js';

/** A search as it was answered: what the retrieval hijack check replays. */
export interface RecentSearch {
  /** The request, secrets redacted. */
  readonly query: string;
  /** The best tool found then. */
  readonly top: string;
}

/** Searches kept for the hijack check to replay. */
export const MAX_RECENT_SEARCHES = 200;

/**
 * How long a search waits to be saved: searches come hundreds a second at peak, so they are saved in batches, one
 * write (or Redis round trip) per interval at most. A crash loses the last interval's; a stop saves them.
 */
const SAVE_DELAY_MS = 5_000;

/**
 * The most recent searches, oldest first: in memory, and in the store given, so that the hijack check has them after
 * a restart, the likeliest moment for a changed tool to show up (its server upgraded and restarted with toolscope).
 * The store is read at the first use, not before: a shared one is only reachable once the state backend is open.
 */
export class RecentSearches {
  private searches: RecentSearch[] = [];
  private unsaved: RecentSearch[] = [];
  private loaded: Promise<void> | undefined;
  private saveTimer: NodeJS.Timeout | undefined;
  private saving: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: RecentSearchStore | undefined,
    private readonly logger: Pick<Logger, 'warn'>,
  ) {}

  add(search: RecentSearch): void {
    pushBounded(this.searches, search);
    if (!this.store) return;
    pushBounded(this.unsaved, search);
    this.saveTimer ??= setTimeout(() => void this.save(), SAVE_DELAY_MS).unref();
  }

  /** The searches kept, those of earlier runs first, once the store has been read. */
  async all(): Promise<readonly RecentSearch[]> {
    await this.load();
    return this.searches;
  }

  /** Saves the searches added since the last save now (a stop does); settles when they are saved. */
  save(): Promise<void> {
    clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    this.saving = this.saving.then(async () => {
      // After the read: a file store writes what it read and these after them.
      await this.load();
      const batch = this.unsaved;
      this.unsaved = [];
      if (batch.length === 0 || !this.store) return;
      await this.store.append(batch, MAX_RECENT_SEARCHES).catch((error: unknown) => this.logger.warn({ err: error }, 'cannot save the recent searches'));
    });
    return this.saving;
  }

  private load(): Promise<void> {
    this.loaded ??= (this.store?.load() ?? Promise.resolve([])).then(
      (stored) => void (this.searches = [...stored, ...this.searches].slice(-MAX_RECENT_SEARCHES)),
      (error: unknown) => {
        // Read again at the next use: a shared store out of reach for a moment must not cost its searches for good.
        this.loaded = undefined;
        this.logger.warn({ err: error }, 'cannot read the recent searches; the retrieval hijack check goes on without them for now');
      },
    );
    return this.loaded;
  }
}

/** Adds `search` as the newest, dropping the oldest beyond the bound. */
function pushBounded(searches: RecentSearch[], search: RecentSearch): void {
  searches.push(search);
  if (searches.length > MAX_RECENT_SEARCHES) searches.shift();
}
