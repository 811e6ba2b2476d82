import { afterEach, describe, expect, it, vi } from 'vitest';
import { MAX_RECENT_SEARCHES, RecentSearches, type RecentSearch } from '../src/retrieval/recent-searches.js';
import type { RecentSearchStore } from '../src/state/recent-search-store.js';

const search = (n: number): RecentSearch => ({ query: `request ${n}`, top: `tool_${n % 7}` });
const silent = { warn: () => undefined };

/** A store in memory that records each append and each read. */
function recordingStore(stored: RecentSearch[] = []): RecentSearchStore & { appends: Array<{ searches: RecentSearch[]; keep: number }>; loads: number } {
  return {
    appends: [],
    loads: 0,
    async load() {
      this.loads++;
      return [...stored];
    },
    async append(searches, keep) {
      this.appends.push({ searches: [...searches], keep });
    },
  };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('recent searches', () => {
  it('saves a burst of searches in one append, a few seconds later, of the newest 200 at most', async () => {
    vi.useFakeTimers();
    const store = recordingStore();
    const recent = new RecentSearches(store, silent);
    for (let n = 0; n < 500; n++) recent.add(search(n));
    expect(store.appends).toHaveLength(0);

    await vi.advanceTimersByTimeAsync(5_000);
    await vi.waitFor(() => expect(store.appends).toHaveLength(1));
    expect(store.appends[0]!.keep).toBe(MAX_RECENT_SEARCHES);
    expect(store.appends[0]!.searches).toEqual(Array.from({ length: 200 }, (_, i) => search(300 + i)));
    expect(await recent.all()).toEqual(store.appends[0]!.searches);

    // The next search starts the next batch.
    recent.add(search(500));
    await vi.advanceTimersByTimeAsync(5_000);
    await vi.waitFor(() => expect(store.appends).toHaveLength(2));
    expect(store.appends[1]!.searches).toEqual([search(500)]);
  });

  it('reads the store at first use, keeping the stored searches before those of this run, and saves only the new ones', async () => {
    const store = recordingStore([search(1), search(2)]);
    const recent = new RecentSearches(store, silent);
    recent.add(search(3));
    expect(store.loads).toBe(0);
    expect(await recent.all()).toEqual([search(1), search(2), search(3)]);
    await recent.save();
    expect(store.appends).toEqual([{ searches: [search(3)], keep: MAX_RECENT_SEARCHES }]);
    // Nothing new: nothing to append.
    await recent.save();
    expect(store.appends).toHaveLength(1);
    expect(store.loads).toBe(1);
  });

  it('reads the store before its first save even when no one asked for the searches yet', async () => {
    const store = recordingStore([search(1)]);
    const recent = new RecentSearches(store, silent);
    recent.add(search(2));
    await recent.save();
    expect(store.loads).toBe(1);
    expect(await recent.all()).toEqual([search(1), search(2)]);
  });

  it('keeps the searches in memory when a save fails, with a warning, and saves the next ones', async () => {
    const warnings: string[] = [];
    const store = recordingStore();
    let failing = true;
    const appended = store.append.bind(store);
    store.append = async (searches, keep) => {
      if (failing) throw new Error('Redis is away');
      await appended(searches, keep);
    };
    const recent = new RecentSearches(store, { warn: (_: unknown, message?: string) => void warnings.push(message ?? '') });
    recent.add(search(1));
    await recent.save();
    expect(warnings).toEqual(['cannot save the recent searches']);
    expect(await recent.all()).toEqual([search(1)]);
    failing = false;
    recent.add(search(2));
    await recent.save();
    expect(store.appends).toEqual([{ searches: [search(2)], keep: MAX_RECENT_SEARCHES }]);
  });

  it('reads the store again at the next use after a failed read, so a store out of reach for a moment costs nothing for good', async () => {
    const warnings: string[] = [];
    const store = recordingStore([search(1)]);
    const read = store.load.bind(store);
    let failing = true;
    store.load = async () => {
      if (failing) throw new Error('Redis is away');
      return read();
    };
    const recent = new RecentSearches(store, { warn: (_: unknown, message?: string) => void warnings.push(message ?? '') });
    recent.add(search(2));
    expect(await recent.all()).toEqual([search(2)]);
    expect(warnings).toEqual(['cannot read the recent searches; the retrieval hijack check goes on without them for now']);
    failing = false;
    expect(await recent.all()).toEqual([search(1), search(2)]);
  });
});
