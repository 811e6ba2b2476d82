import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './support/toolscope-cli.js';

/**
 * SECURITY.md's threat table cites, for each threat, the tests that prove its defence (`test/x.test.ts` › "name", ...).
 * A renamed or deleted test would leave the table claiming a proof that no longer runs.
 */

interface Citation {
  readonly file: string;
  readonly name: string;
}

function citations(markdown: string): Citation[] {
  const found: Citation[] = [];
  for (const match of markdown.matchAll(/`(test\/[\w./-]+\.test\.ts)` › ((?:"(?:\\.|[^"\\])*"(?:, )?)+)/g)) {
    for (const name of match[2]!.matchAll(/"((?:\\.|[^"\\])*)"/g)) found.push({ file: match[1]!, name: name[1]!.replace(/\\(.)/g, '$1') });
  }
  return found;
}

/** Each test title in a test file, as a pattern: `${...}` and it.each's `%s`, `%j`, … stand for any text. */
function titlePatterns(source: string): RegExp[] {
  const patterns: RegExp[] = [];
  // A title follows `it(`, `test(`, or the end of an `it.each([...])` table (`] as const)` too), which may hold
  // parentheses of its own.
  for (const match of source.matchAll(/(?:\b(?:it|test)(?:\.each\([^)]*\))?|\](?:\s+as\s+const)?\))\(\s*(['"`])((?:\\.|(?!\1)[^\\])*)\1/g)) {
    const title = match[2]!.replace(/\\(.)/g, '$1');
    const parts = title.split(/\$\{[^}]*\}|%[sdifjo#]/);
    patterns.push(new RegExp(`^${parts.map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.+?')}$`));
  }
  return patterns;
}

describe('SECURITY.md', () => {
  it('cites only tests that exist, by file and name', async () => {
    const found = citations(await readFile(join(ROOT, 'SECURITY.md'), 'utf8'));
    expect(found.length).toBeGreaterThan(100);
    const sources = new Map<string, RegExp[]>();
    const missing: string[] = [];
    for (const { file, name } of found) {
      if (!sources.has(file)) {
        const source = await readFile(join(ROOT, file), 'utf8').catch(() => undefined);
        sources.set(file, source === undefined ? [] : titlePatterns(source));
      }
      if (!sources.get(file)!.some((pattern) => pattern.test(name))) missing.push(`${file} › "${name}"`);
    }
    expect(missing).toEqual([]);
  });

  it('reads citations with escapes and matches titles with template parts and it.each placeholders', () => {
    const patterns = titlePatterns(`it('refuses \\'x\\'', () => {}); it.each([1])(\`limit \${n} of %s\`, () => {});`);
    expect(patterns.some((pattern) => pattern.test("refuses 'x'"))).toBe(true);
    expect(patterns.some((pattern) => pattern.test('limit 6 of fsync'))).toBe(true);
    expect(patterns.some((pattern) => pattern.test('refuses y'))).toBe(false);
    expect(citations('`test/a.test.ts` › "one", "two \\`x\\` \\"y\\""; `test/b.test.ts` › "three"')).toEqual([
      { file: 'test/a.test.ts', name: 'one' },
      { file: 'test/a.test.ts', name: 'two `x` "y"' },
      { file: 'test/b.test.ts', name: 'three' },
    ]);
  });
});
