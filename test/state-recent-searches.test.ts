import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RecentSearches, type RecentSearch } from '../src/retrieval/recent-searches.js';
import { FileRecentSearchStore } from '../src/state/file/file-recent-search-store.js';
import { StateFileError } from '../src/state/file/json-file.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'toolscope-recent-searches-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const search = (n: number): RecentSearch => ({ query: `request ${n}`, top: `tool_${n % 7}` });
const searches = (from: number, count: number) => Array.from({ length: count }, (_, i) => search(from + i));

describe('recent searches in the state folder', () => {
  it('keeps the newest searches across appends and restarts, in a file only its owner may read', async () => {
    const store = new FileRecentSearchStore(dir);
    expect(await store.load()).toEqual([]);
    await store.append(searches(0, 150), 200);
    await store.append(searches(150, 100), 200);

    const file = join(dir, 'recent-searches.json');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ searches: searches(50, 200) });
    // The next run reads them, and appends after them.
    const next = new FileRecentSearchStore(dir);
    expect(await next.load()).toEqual(searches(50, 200));
    await next.append([search(250)], 200);
    expect(await new FileRecentSearchStore(dir).load()).toEqual(searches(51, 200));
  });

  it('starts without a corrupt file, warning with its name, and replaces it at the next save', async () => {
    const file = join(dir, 'recent-searches.json');
    await writeFile(file, JSON.stringify({ searches: [{ query: 'list the files' }] }));
    await expect(new FileRecentSearchStore(dir).load()).rejects.toThrow(StateFileError);

    const warnings: Array<{ error: unknown; message: string | undefined }> = [];
    const recent = new RecentSearches(new FileRecentSearchStore(dir), {
      warn: (fields: unknown, message?: string) => void warnings.push({ error: (fields as { err: unknown }).err, message }),
    });
    recent.add(search(1));
    expect(await recent.all()).toEqual([search(1)]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toBe('cannot read the recent searches; the retrieval hijack check goes on without them for now');
    expect(String(warnings[0]!.error)).toContain(`${file}: searches.0.top: required`);

    await recent.save();
    expect(await new FileRecentSearchStore(dir).load()).toEqual([search(1)]);
  });
});
