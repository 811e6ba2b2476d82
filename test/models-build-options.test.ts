import { readdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from './support/toolscope-cli.js';
import type { TempDir } from './support/temp-dir.js';

let dir: TempDir;
beforeAll(async () => {
  dir = await tempDir('toolscope-models-options-');
});
afterAll(async () => {
  await dir?.remove();
});

describe('toolscope models build: options that name what to build', () => {
  it('refuses options that do not go together, before building anything', async () => {
    const cases: Array<[string[], string]> = [
      [['--name', 'my-org/my-model'], '--name names the model built from --from-dir: give --from-dir too, or drop --name'],
      [['--all', '--model', 'Xenova/all-MiniLM-L6-v2'], "option '--all' cannot be used with option '--model <id>'"],
      [['--from-dir', dir.path, '--name', 'x/y', '--model', 'Xenova/all-MiniLM-L6-v2'], "option '--from-dir <dir>' cannot be used with option '--model <id>'"],
      [['--from-dir', dir.path, '--name', 'x/y', '--all'], "option '--from-dir <dir>' cannot be used with option '--all'"],
    ];
    for (const [options, message] of cases) {
      const result = await runCli(['models', 'build', '--out', dir.path, ...options]);
      expect(result.code).toBe(1);
      expect(result.stderr.split('\n')[0]).toBe(`toolscope: ${message}`);
    }
    expect(await readdir(dir.path)).toEqual([]);
  });
});
