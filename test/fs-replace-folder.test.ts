import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { replaceFolder } from '../src/fs/replace-folder.js';
import { tempDir, type TempDir } from './support/temp-dir.js';

let dir: TempDir;
let target: string;
let staging: string;

async function writeVersion(folder: string, version: string): Promise<void> {
  await mkdir(folder, { recursive: true });
  await writeFile(join(folder, 'version.txt'), version);
}

beforeEach(async () => {
  dir = await tempDir('toolscope-replace-folder-');
  target = join(dir.path, 'out', 'org', 'model');
  staging = join(dir.path, 'out', '.build');
});

afterEach(async () => {
  await dir.remove();
});

describe('replaceFolder', () => {
  it('creates the folder, and replaces it whole on the next write, returning what the write returned', async () => {
    expect(await replaceFolder(target, staging, (folder) => writeVersion(folder, 'one').then(() => 1))).toBe(1);
    await writeFile(join(target, 'only-in-one.txt'), 'x');
    await replaceFolder(target, staging, (folder) => writeVersion(folder, 'two'));
    expect(await readdir(target)).toEqual(['version.txt']);
    expect(await readFile(join(target, 'version.txt'), 'utf8')).toBe('two');
    expect(await readdir(staging)).toEqual([]);
  });

  it('leaves the previous folder as it was when the write fails halfway, and no staging behind', async () => {
    await replaceFolder(target, staging, (folder) => writeVersion(folder, 'one'));
    const failing = replaceFolder(target, staging, async (folder) => {
      await writeVersion(folder, 'half');
      throw new Error('converter failed');
    });
    await expect(failing).rejects.toThrow('converter failed');
    expect(await readFile(join(target, 'version.txt'), 'utf8')).toBe('one');
    expect(await readdir(staging)).toEqual([]);
  });

  it('writes no folder at all when the first write fails', async () => {
    await expect(replaceFolder(target, staging, () => Promise.reject(new Error('no')))).rejects.toThrow('no');
    expect(await readdir(join(dir.path, 'out'))).toEqual(['.build']);
  });
});
