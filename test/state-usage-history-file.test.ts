import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { UsageRecord } from '../src/retrieval/usage-history.js';
import { UsageHistoryFile } from '../src/state/file/usage-history-file.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'toolscope-usage-file-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const record = (n: number): UsageRecord => ({ query: `request ${n}`, tool: `tool_${n}`, at: '2026-12-06T00:00:00.000Z' });

describe('usage history file', () => {
  it('folds the saves asked for while a write runs into one more write, of the records as they are then', async () => {
    const records: UsageRecord[] = [];
    let writes = 0;
    const snapshot = () => {
      writes++;
      return [...records];
    };
    const file = new UsageHistoryFile(dir, (error) => {
      throw error;
    });

    records.push(record(0));
    const first = file.save(snapshot);
    await expect.poll(() => writes).toBe(1);
    const later: Array<Promise<void>> = [];
    for (let n = 1; n <= 100; n++) {
      records.push(record(n));
      later.push(file.save(snapshot));
    }
    await Promise.all([first, ...later]);

    expect(writes).toBe(2);
    expect(await file.load()).toEqual(records);
    // A save after the burst writes again.
    records.push(record(101));
    await file.save(snapshot);
    expect(writes).toBe(3);
    expect(await file.load()).toHaveLength(102);
  });

  it('reports a failed write once for all the saves it served, and writes again on the next save', async () => {
    // The state folder's place is taken by a file: no write can succeed.
    const stateDir = join(dir, 'state');
    await writeFile(stateDir, 'not a folder');
    const errors: unknown[] = [];
    const file = new UsageHistoryFile(stateDir, (error) => errors.push(error));
    await Promise.all(Array.from({ length: 10 }, () => file.save(() => [record(1)])));
    expect(errors).toHaveLength(1);

    await rm(stateDir);
    await file.save(() => [record(2)]);
    expect(errors).toHaveLength(1);
    expect(JSON.parse(await readFile(join(stateDir, 'usage-history.json'), 'utf8'))).toEqual({ records: [record(2)] });
  });
});
