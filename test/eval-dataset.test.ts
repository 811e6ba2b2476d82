import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EvalInputError } from '../src/eval/input-error.js';
import { datasetName, loadEvalDataset } from '../src/eval/load-dataset.js';
import { deterministicSample } from '../src/eval/sample.js';

const schema = { type: 'object', properties: { path: { type: 'string' } } };
const tool = (id: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ id, server: 'fs', name: id, description: `tool ${id}`, inputSchema: schema, ...extra });

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'toolscope-eval-dataset-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function files(catalog: string[], queries: string[]): Promise<[string, string]> {
  const catalogFile = join(dir, 'catalog.jsonl');
  const queriesFile = join(dir, 'queries.jsonl');
  await writeFile(catalogFile, `${catalog.join('\n')}\n`);
  await writeFile(queriesFile, `${queries.join('\n')}\n`);
  return [catalogFile, queriesFile];
}

async function loadError(catalogFile: string, queriesFile: string): Promise<EvalInputError> {
  const error = await loadEvalDataset(catalogFile, queriesFile).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(EvalInputError);
  return error as EvalInputError;
}

describe('loading a canonical eval dataset', () => {
  it('loads tools, queries and annotations; blank lines are ignored', async () => {
    const [catalogFile, queriesFile] = await files(
      [tool('read_file', { annotations: { readOnlyHint: true } }), '', tool('write_file')],
      [JSON.stringify({ id: 'q1', query: 'open notes.txt', relevant: ['read_file'] })],
    );
    const { dataset, skipped } = await loadEvalDataset(catalogFile, queriesFile);
    expect(dataset.tools.map((t) => t.id)).toEqual(['read_file', 'write_file']);
    expect(dataset.tools[0]?.annotations).toEqual({ readOnlyHint: true });
    expect(dataset.queries).toEqual([{ id: 'q1', query: 'open notes.txt', relevant: ['read_file'] }]);
    expect(dataset.name).toBe(dir.split('/').pop());
    expect(skipped).toEqual([]);
  });

  it('names file, line and problem for a malformed tool line', async () => {
    const [catalogFile, queriesFile] = await files(
      [tool('a'), JSON.stringify({ id: 'b', server: 'fs', name: 'b', description: 'x' }), '{not json'],
      [JSON.stringify({ id: 'q1', query: 'q', relevant: ['a'] })],
    );
    const error = await loadError(catalogFile, queriesFile);
    expect(error.message).toContain(`${catalogFile}:2: inputSchema: required`);
    expect(error.message).toMatch(new RegExp(`${catalogFile}:3: invalid JSON`));
    expect(error.problems).toHaveLength(2);
  });

  it('rejects a query whose relevant tool is not in the catalog, and duplicate ids', async () => {
    const [catalogFile, queriesFile] = await files(
      [tool('a'), tool('a')],
      [
        JSON.stringify({ id: 'q1', query: 'q', relevant: ['a', 'ghost'] }),
        JSON.stringify({ id: 'q2', query: '   ', relevant: ['a'] }),
        JSON.stringify({ id: 'q3', query: 'q', relevant: ['a', 'a'] }),
      ],
    );
    const error = await loadError(catalogFile, queriesFile);
    expect(error.message).toContain(`${catalogFile}:2: id 'a' is already used on line 1`);
    expect(error.message).toContain(`${queriesFile}:1: relevant: 'ghost' not in the catalog`);
    expect(error.message).toContain(`${queriesFile}:2: query:`);
    expect(error.message).toContain(`${queriesFile}:3: relevant: lists the same tool id twice`);
  });

  it('reports an empty catalog (or query file) alone, not every query as naming an unknown tool', async () => {
    const [catalogFile, queriesFile] = await files(['', '  '], [JSON.stringify({ id: 'q1', query: 'q', relevant: ['a'] })]);
    const error = await loadError(catalogFile, queriesFile);
    expect(error.message).toBe(`${catalogFile}: no tools (the catalog is empty)`);
    expect(error.skippable).toBe(false);
    const [withTool, emptyQueries] = await files([tool('a')], []);
    expect((await loadError(withTool, emptyQueries)).message).toBe(`${emptyQueries}: no queries (the file is empty)`);
  });

  it('says a relevant id is on a malformed catalog line, not that the catalog lacks it', async () => {
    const [catalogFile, queriesFile] = await files(
      [tool('a'), JSON.stringify({ id: 'b', server: 'fs', name: 'b' })],
      [JSON.stringify({ id: 'q1', query: 'q', relevant: ['a', 'b', 'ghost'] })],
    );
    const error = await loadError(catalogFile, queriesFile);
    expect(error.message.split('\n')).toEqual([
      `${catalogFile}:2: description: required; inputSchema: required`,
      `${queriesFile}:1: relevant: 'ghost' not in the catalog ${catalogFile}; 'b' is on malformed line 2 of ${catalogFile}`,
    ]);
  });

  it('goes on past bad lines with skipBad and reports how many were skipped', async () => {
    const [catalogFile, queriesFile] = await files(
      [tool('a'), '{"id": 1}', tool('b')],
      [
        JSON.stringify({ id: 'q1', query: 'q', relevant: ['a'] }),
        JSON.stringify({ id: 'q2', query: 'q', relevant: ['missing'] }),
        JSON.stringify({ id: 'q3', query: 'q', relevant: ['b'] }),
      ],
    );
    const { dataset, skipped } = await loadEvalDataset(catalogFile, queriesFile, { skipBad: true });
    expect(dataset.tools.map((t) => t.id)).toEqual(['a', 'b']);
    expect(dataset.queries.map((q) => q.id)).toEqual(['q1', 'q3']);
    expect(skipped.map((bad) => [bad.file, bad.line])).toEqual([
      [catalogFile, 2],
      [queriesFile, 2],
    ]);
  });

  it('with every query line skipped, says what was wrong with each, not only that none is usable', async () => {
    const [catalogFile, queriesFile] = await files(
      [tool('a')],
      [JSON.stringify({ id: 'q1', query: 'q', relevant: [] }), JSON.stringify({ id: 'q2', query: 'q', relevant: ['missing'] })],
    );
    const error = await loadEvalDataset(catalogFile, queriesFile, { skipBad: true }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(EvalInputError);
    const lines = (error as EvalInputError).message.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(new RegExp(`^${queriesFile}:1: relevant: `));
    expect(lines[1]).toBe(`${queriesFile}:2: relevant: 'missing' not in the catalog ${catalogFile}`);
    expect(lines[2]).toBe(`${queriesFile}: no usable query`);
  });

  it('reads a file that starts with a byte order mark, as Windows editors write', async () => {
    const [catalogFile, queriesFile] = await files([`\uFEFF${tool('a')}`], [`\uFEFF${JSON.stringify({ id: 'q1', query: 'q', relevant: ['a'] })}`]);
    const { dataset } = await loadEvalDataset(catalogFile, queriesFile);
    expect(dataset.tools.map((t) => t.id)).toEqual(['a']);
    expect(dataset.queries.map((q) => q.id)).toEqual(['q1']);
  });

  it('names a dataset given by a bare file name after the folder it is in, not "."', async () => {
    const [catalogFile, queriesFile] = await files([tool('a')], [JSON.stringify({ id: 'q1', query: 'q', relevant: ['a'] })]);
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const { dataset } = await loadEvalDataset(basename(catalogFile), basename(queriesFile));
      expect(dataset.name).toBe(basename(dir));
    } finally {
      process.chdir(cwd);
    }
  });

  it('names a dataset after its folder only for a catalog.jsonl, else after the catalog file', () => {
    expect(datasetName('/data/mcp-catalog/catalog.jsonl')).toBe('mcp-catalog');
    expect(datasetName('/tmp/wt/tools.jsonl')).toBe('tools');
  });

  it('shows the first 10 bad lines and a count of the rest', async () => {
    const [catalogFile, queriesFile] = await files([tool('a')], Array.from({ length: 432 }, (_, i) => JSON.stringify({ id: `q${i}`, query: 'q', relevant: ['nope'] })));
    const lines = (await loadError(catalogFile, queriesFile)).message.split('\n');
    expect(lines).toHaveLength(11);
    expect(lines[0]).toBe(`${queriesFile}:1: relevant: 'nope' not in the catalog ${catalogFile}`);
    expect(lines[10]).toBe('… and 422 more');
  });

  it('reports a missing file as such, not as a line', async () => {
    const error = await loadError(join(dir, 'nope.jsonl'), join(dir, 'nope-queries.jsonl'));
    expect(error.message).toBe(`${join(dir, 'nope.jsonl')}: file not found`);
    expect(error.skippable).toBe(false);
  });
});

describe('deterministic query sampling', () => {
  const items = Array.from({ length: 100 }, (_, i) => ({ id: `q${i}` }));

  it('picks the same items whatever the input order, and keeps the input order', () => {
    const sample = deterministicSample(items, 10);
    const fromReversed = deterministicSample([...items].reverse(), 10);
    expect(sample).toHaveLength(10);
    expect(new Set(fromReversed.map((i) => i.id))).toEqual(new Set(sample.map((i) => i.id)));
    const positions = sample.map((item) => items.indexOf(item));
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    expect(deterministicSample(items, 10, 'other-seed')).not.toEqual(sample);
  });

  it('returns everything when the sample is not smaller', () => {
    expect(deterministicSample(items, 500)).toEqual(items);
  });
});
