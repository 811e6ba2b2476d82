import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Command } from 'commander';
import { reportsDirAsGiven } from '../eval/reports-dir.js';
import type { EvalReport } from '../src/eval/eval-report.js';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '..');
const MAIN = join(ROOT, 'src', 'cli', 'main.ts');

const object = (properties: Record<string, unknown>) => ({ type: 'object', properties });
const TOOLS = [
  { id: 'fs__read_file', server: 'filesystem', name: 'read_file', description: 'Read the complete contents of a file from disk.', inputSchema: object({ path: { type: 'string' } }) },
  { id: 'fs__write_file', server: 'filesystem', name: 'write_file', description: 'Create a new file or overwrite an existing file with text content.', inputSchema: object({ path: { type: 'string' }, content: { type: 'string' } }) },
  { id: 'mail__send_email', server: 'gmail', name: 'send_email', description: 'Send an email message to one or more recipients.', inputSchema: object({ to: { type: 'array', items: { type: 'string' } }, subject: { type: 'string' }, body: { type: 'string' } }) },
  { id: 'gh__create_issue', server: 'github', name: 'create_issue', description: 'Open a new issue in a GitHub repository.', inputSchema: object({ repo: { type: 'string' }, title: { type: 'string' } }) },
  { id: 'weather__forecast', server: 'weather', name: 'get_forecast', description: 'Weather forecast for a city for the next days.', inputSchema: object({ city: { type: 'string' } }) },
  { id: 'cal__create_event', server: 'calendar', name: 'create_event', description: 'Add an event to the calendar at a given time.', inputSchema: object({ title: { type: 'string' }, start: { type: 'string' } }) },
];
const QUERIES = [
  { id: 'q1', query: 'read the file notes.txt', relevant: ['fs__read_file'] },
  { id: 'q2', query: 'send an email to bob about the release', relevant: ['mail__send_email'] },
  { id: 'q3', query: 'what is the weather forecast for Paris', relevant: ['weather__forecast'] },
  { id: 'q4', query: 'open a github issue for the crash, then add a calendar event for the fix review', relevant: ['gh__create_issue', 'cal__create_event'] },
];

let dir: string;
let catalogFile: string;
let queriesFile: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'toolscope-eval-cli-'));
  catalogFile = join(dir, 'catalog.jsonl');
  queriesFile = join(dir, 'queries.jsonl');
  await writeFile(catalogFile, TOOLS.map((tool) => JSON.stringify(tool)).join('\n'));
  await writeFile(queriesFile, QUERIES.map((query) => JSON.stringify(query)).join('\n'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function toolscope(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return script(MAIN, args);
}

async function script(file: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', file, ...args], { cwd: ROOT, timeout: 120_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

async function readReport(file: string): Promise<EvalReport> {
  return JSON.parse(await readFile(file, 'utf8')) as EvalReport;
}

describe('toolscope eval', () => {
  it('evaluates BM25 and writes JSON with metrics, tokens, latency and provenance', async () => {
    const json = join(dir, 'bm25.json');
    const markdown = join(dir, 'bm25.md');
    const result = await toolscope(['eval', '--catalog', catalogFile, '--queries', queriesFile, '--retriever', 'bm25', '--k', '1,5', '--json', json, '--report', markdown]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('| bm25 |');

    const report = await readReport(json);
    const version = (JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    expect(report).toMatchObject({ toolscopeVersion: version, catalogSize: 6, queryCount: 4, embedder: null, ks: [1, 5], skippedLines: 0 });
    expect(report.dataset).toBe(dir.split('/').pop());
    const [bm25] = report.results;
    expect(bm25?.retriever).toBe('bm25');
    expect(Object.keys(bm25?.metrics ?? {}).sort()).toEqual(
      ['complete@1', 'complete@5', 'mrr', 'ndcg@1', 'ndcg@5', 'recall@1', 'recall@5'].sort(),
    );
    // Each single-tool query names its tool plainly; the two-step query gets both tools within 5.
    expect(bm25?.metrics['recall@5']).toBe(1);
    expect(bm25?.metrics['complete@5']).toBe(1);
    expect(bm25?.metrics['recall@1']).toBeGreaterThanOrEqual(0.75);
    const [top1, top5] = bm25?.tokens ?? [];
    expect(top1!.meanExposedTokens).toBeLessThan(top5!.meanExposedTokens);
    expect(top5!.savingPercent).toBeGreaterThan(0);
    expect(report.catalogTokens).toBeGreaterThan(top5!.meanExposedTokens);
    expect(bm25?.latencyMs.p95).toBeGreaterThanOrEqual(bm25?.latencyMs.p50 ?? Infinity);
    expect(await readFile(markdown, 'utf8')).toContain('## bm25');
  });

  it('runs every retriever with the use-lite embedder', async () => {
    const json = join(dir, 'all.json');
    const result = await toolscope(['eval', '--catalog', catalogFile, '--queries', queriesFile, '--retriever', 'all', '--embedder', 'use-lite', '--json', json]);
    expect(result.code).toBe(0);
    const report = await readReport(json);
    expect(report.embedder).toBe('use-lite');
    expect(report.embeddedTools).toBe(6);
    expect(report.results.map((r) => r.retriever)).toEqual(['bm25', 'dense', 'hybrid']);
    for (const r of report.results) expect(r.metrics['recall@10']).toBeGreaterThan(0.5);
  });

  it('stops at a malformed line naming file and line, and goes on with --skip-bad', async () => {
    const badCatalog = join(dir, 'bad-catalog.jsonl');
    await writeFile(badCatalog, [...TOOLS.map((tool) => JSON.stringify(tool)), '{"id": "broken", "server": "x"}'].join('\n'));
    const refused = await toolscope(['eval', '--catalog', badCatalog, '--queries', queriesFile, '--retriever', 'bm25']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`${badCatalog}:7: name: required; description: required; inputSchema: required`);
    expect(refused.stderr).toContain('--skip-bad');

    const json = join(dir, 'skipped.json');
    const skipped = await toolscope(['eval', '--catalog', badCatalog, '--queries', queriesFile, '--retriever', 'bm25', '--skip-bad', '--json', json]);
    expect(skipped.code).toBe(0);
    expect(skipped.stderr).toContain('skipped 1 malformed line(s)');
    expect((await readReport(json)).skippedLines).toBe(1);
  });

  it('says a catalog is empty, alone and without the --skip-bad hint, rather than every query naming an unknown tool', async () => {
    const empty = join(dir, 'empty-catalog.jsonl');
    await writeFile(empty, '\n  \n');
    const result = await toolscope(['eval', '--catalog', empty, '--queries', queriesFile, '--retriever', 'bm25']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`toolscope: invalid eval input\n${empty}: no tools (the catalog is empty)\n`);
  });

  it('refuses an output path that is a folder, or under a file, before evaluating', async () => {
    const aFile = join(dir, 'a-file');
    await writeFile(aFile, 'x');
    const cases: Array<[string[], string]> = [
      [['--json', dir], `toolscope: --json ${dir} is a folder: give the path of the file to write`],
      [['--report', dir], `toolscope: --report ${dir} is a folder: give the path of the file to write`],
      [['--json', join(aFile, 'x.json')], `toolscope: --json ${join(aFile, 'x.json')}: cannot make its folder ${aFile} (it, or a folder above it, is a file)`],
    ];
    for (const [output, message] of cases) {
      // A missing catalog would be found by the evaluation: the output path must be refused before it.
      const result = await toolscope(['eval', '--catalog', join(dir, 'nope.jsonl'), '--queries', queriesFile, '--retriever', 'bm25', ...output]);
      expect(result.code).toBe(1);
      expect(result.stderr.trim()).toBe(message);
    }
  });

  it('says a --state-dir that is a file is not a folder, before evaluating', async () => {
    const aFile = join(dir, 'state-file');
    await writeFile(aFile, 'x');
    const result = await toolscope(['eval', '--catalog', catalogFile, '--queries', queriesFile, '--retriever', 'bm25', '--state-dir', aFile]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`toolscope: --state-dir ${aFile} is not a folder\n`);
  });

  it('--history shows recall on the held-out queries without and with the past use, on the console and in the report', async () => {
    const mcp = join(ROOT, 'datasets', 'mcp-catalog');
    const json = join(dir, 'history.json');
    const markdown = join(dir, 'history.md');
    const result = await toolscope([
      'eval', '--catalog', join(mcp, 'catalog.jsonl'), '--queries', join(mcp, 'queries.jsonl'), '--retriever', 'bm25', '--history', '0.5', '--json', json, '--report', markdown,
    ]);
    expect(result.code).toBe(0);
    const report = await readReport(json);
    const without = report.history!.withoutHistory![0]!.metrics['recall@5']!;
    const learned = report.results[0]!.metrics['recall@5']!;
    expect(learned).toBeGreaterThan(without);
    const row = `| bm25 | ${(100 * without).toFixed(1)} | ${(100 * learned).toFixed(1)} | +${(100 * (learned - without)).toFixed(1)} |`;
    expect(result.stdout).toContain(`history: ${report.history!.pastQueries} labelled queries (0.5) taken as past use; recall@5 on the ${report.queryCount} held-out queries without and with it:`);
    expect(result.stdout).toContain(row);
    expect(await readFile(markdown, 'utf8')).toContain(`## Learning from use\n\n${report.history!.pastQueries} labelled queries`);
    expect(await readFile(markdown, 'utf8')).toContain(row);
  });

  it('names the dataset after a catalog file outside a dataset folder, or after --name', async () => {
    const tools = join(dir, 'tools.jsonl');
    await writeFile(tools, TOOLS.map((tool) => JSON.stringify(tool)).join('\n'));
    const json = join(dir, 'named.json');
    const base = ['eval', '--catalog', tools, '--queries', queriesFile, '--retriever', 'bm25', '--json', json];
    expect((await toolscope(base)).code).toBe(0);
    expect((await readReport(json)).dataset).toBe('tools');
    expect((await toolscope([...base, '--name', 'my-tools'])).code).toBe(0);
    expect((await readReport(json)).dataset).toBe('my-tools');
  });

  it('shows the first 10 bad lines and counts the rest', async () => {
    const badQueries = join(dir, 'bad-queries.jsonl');
    await writeFile(badQueries, Array.from({ length: 25 }, (_, i) => `{"id": "q${i}"}`).join('\n'));
    const refused = await toolscope(['eval', '--catalog', catalogFile, '--queries', badQueries, '--retriever', 'bm25']);
    expect(refused.code).toBe(1);
    const lines = refused.stderr.trim().split('\n');
    expect(lines).toHaveLength(1 + 10 + 1);
    expect(lines[10]).toBe(`${badQueries}:10: query: required; relevant: required`);
    expect(lines[11]).toBe('… and 15 more');
  });

  it('takes --k and --max-queries as plain whole numbers, --k up to 100 only', async () => {
    const cases: Array<[string[], string]> = [
      [['--k', '0x5'], "'0x5' is not a positive integer."],
      [['--k', '5,1e1'], "'1e1' is not a positive integer."],
      [['--k', '1e308'], "'1e308' is not a positive integer."],
      [['--k', '1,101'], "'101' is above 100: a router exposes a few tools."],
      [['--max-queries', '1e1'], "'1e1' is not a positive integer."],
      [['--max-queries', '0x5'], "'0x5' is not a positive integer."],
      [['--max-queries', '99999999999999999999'], "'99999999999999999999' is not a positive integer."],
    ];
    for (const [option, message] of cases) {
      const result = await toolscope(['eval', '--catalog', catalogFile, '--queries', queriesFile, '--retriever', 'bm25', ...option]);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(new RegExp(`^toolscope: option '${option[0]} <[a-z]+>' argument '[^']+' is invalid\\. `));
      expect(result.stderr).toContain(`invalid. ${message}\n`);
    }
  });
});

describe('toolscope eval: which embedder, and runs that cannot measure what was asked', () => {
  const SHARED_MODELS = resolve(ROOT, '..', 'shared', 'models');

  it('--model-dir, --model and --dtype select the transformers backend without --embedder', async () => {
    const json = join(dir, 'out', 'nested', 'transformers.json');
    const result = await toolscope([
      'eval', '--catalog', catalogFile, '--queries', queriesFile, '--retriever', 'dense',
      '--model-dir', SHARED_MODELS, '--model', 'minilm-l6-random', '--dtype', 'fp32', '--json', json,
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    // The --json folder did not exist: it is made, not found missing after the run.
    const report = await readReport(json);
    expect(report.embedder).toBe('transformers:minilm-l6-random:fp32');
    // Which build of the model: the weights file it ran, by hash (this folder has no toolscope-model.json to name a build).
    const weights = join(SHARED_MODELS, 'minilm-l6-random', 'onnx', 'model.onnx');
    const sha256 = createHash('sha256').update(await readFile(weights)).digest('hex');
    expect(report.embedderWeights).toEqual({ file: 'minilm-l6-random/onnx/model.onnx', sha256 });
  });

  it('says a --model-dir that does not exist is missing, before loading anything', async () => {
    const nope = join(dir, 'nope', 'models');
    const result = await toolscope(['eval', '--catalog', catalogFile, '--queries', queriesFile, '--model-dir', nope]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`toolscope: --model-dir ${nope} does not exist: give the folder \`npm run models:offline\` built the models into\n`);
  });

  it('refuses to report use-lite figures when the transformers model does not load, saying what to do', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'toolscope-no-models-'));
    const json = join(dir, 'fallback.json');
    const result = await toolscope(['eval', '--catalog', catalogFile, '--queries', queriesFile, '--retriever', 'hybrid', '--model-dir', empty, '--json', json]);
    await rm(empty, { recursive: true, force: true });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`toolscope: the transformers model Xenova/all-MiniLM-L6-v2 could not be loaded from ${empty} (`);
    expect(result.stderr).toContain('npm run models:offline');
    expect(result.stderr).toContain('--embedder use-lite');
    // The refusal alone: no warning that it falls back to use-lite, which it does not.
    expect(result.stderr).not.toContain('falling back');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stdout).toBe('');
    await expect(readFile(json)).rejects.toThrow(/ENOENT/);
  });

  it('names the missing weights file and the --dtype that loads what the model folder holds, with no fallback warning', async () => {
    const result = await toolscope([
      '--log-format', 'pretty', 'eval', '--catalog', catalogFile, '--queries', queriesFile, '--retriever', 'dense',
      '--model-dir', SHARED_MODELS, '--model', 'minilm-l6-random',
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).not.toContain('WARN');
    expect(result.stderr).toContain(
      `${join(SHARED_MODELS, 'minilm-l6-random', 'onnx', 'model_quantized.onnx')}, the q8 weights, is missing; the folder holds fp32: --dtype fp32 would load it`,
    );
    expect(result.stderr).not.toContain('models:offline');
  });

  it('refuses model options beside --embedder use-lite, which would ignore them', async () => {
    const result = await toolscope(['eval', '--catalog', catalogFile, '--queries', queriesFile, '--embedder', 'use-lite', '--model-dir', SHARED_MODELS]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe('toolscope: --embedder use-lite has no model to choose: drop --model-dir or use --embedder transformers');
  });

  it('refuses a --history fraction that leaves no query to evaluate', async () => {
    const result = await toolscope(['eval', '--catalog', catalogFile, '--queries', queriesFile, '--retriever', 'bm25', '--history', '0.95']);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(
      'toolscope: history fraction 0.95 takes all 4 queries as past use and leaves none to evaluate: use a smaller fraction',
    );
  });
});

describe('the eval and bench scripts', () => {
  const scripts = ['eval/run-suites.ts', 'eval/scale-sweep.ts', 'eval/bench/run.ts'].map((file) => join(ROOT, file));

  it('list their options on --help', async () => {
    for (const file of scripts) {
      const help = await script(file, ['--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(/^Usage: npm run [a-z:]+ -- \[options\]/);
      expect(help.stdout).toContain('--datasets-root <dir>');
    }
  });

  it('refuse a bad option value or an unknown option with a one-line error, before doing any work', async () => {
    const badSize = await script(scripts[1]!, ['--sizes', '100,lots']);
    expect(badSize.code).toBe(1);
    expect(badSize.stderr.trim()).toBe("error: option '--sizes <list>' argument '100,lots' is invalid. 'lots' is not a positive integer.");
    const unknown = await script(scripts[0]!, ['--max-query', '5']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("error: unknown option '--max-query'");
  });

  it('refuse an unknown dataset or a datasets root holding none in one line, and write no report', async () => {
    const reports = await mkdtemp(join(tmpdir(), 'toolscope-suite-reports-'));
    try {
      const unknown = await script(scripts[0]!, ['--only', 'mcp-catalog,nosuch', '--reports-dir', reports]);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr.trim()).toMatch(/^npm run eval: --only: unknown dataset 'nosuch' \(known: metatool-single, .*mcp-catalog\)$/);
      // Whatever --only says: our own catalog beside a benchmark does not make a wrong root a short run.
      const none = join(reports, 'none');
      const missing = await script(scripts[0]!, ['--only', 'mcp-catalog,seal-tools', '--datasets-root', none, '--reports-dir', reports]);
      expect(missing.code).toBe(1);
      expect(missing.stderr.trim()).toBe(
        `npm run eval: --datasets-root ${none} holds none of the public benchmarks ` +
          '(metatool, seal-tools, stabletoolbench-solvable, bfcl-multiple, gorilla-apibench); only --only mcp-catalog runs without them',
      );
      expect(await readdir(reports)).toEqual([]);
    } finally {
      await rm(reports, { recursive: true, force: true });
    }
  });

  it('refuse a partial run into the default reports folder, which holds the full run, naming why it is partial', async () => {
    const summary = join(ROOT, 'eval', 'reports', 'summary.md');
    const before = await readFile(summary, 'utf8');
    const root = await mkdtemp(join(tmpdir(), 'toolscope-suite-root-'));
    try {
      const sampled = await script(scripts[0]!, ['--only', 'mcp-catalog', '--max-queries', '10']);
      expect(sampled.code).toBe(1);
      expect(sampled.stderr.trim()).toBe(
        'npm run eval: a partial run (--only mcp-catalog; --max-queries 10) would replace the full reports ' +
          'in eval/reports/: pass --reports-dir DIR to write its reports elsewhere',
      );
      // A root holding one benchmark: the others would be skipped.
      await mkdir(join(root, 'seal-tools'));
      const skipping = await script(scripts[0]!, ['--datasets-root', root]);
      expect(skipping.code).toBe(1);
      expect(skipping.stderr.trim()).toMatch(
        new RegExp(`^npm run eval: a partial run \\(metatool-single, .*gorilla-huggingface not found under --datasets-root ${root}\\) would replace`),
      );
      expect(skipping.stderr).not.toContain('skipping');
      expect(await readFile(summary, 'utf8')).toBe(before);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('eval:scale and eval:fusion refuse other sizes, samples or models into the default reports folder, before any work', async () => {
    const sizes = await script(scripts[1]!, ['--sizes', '100', '--max-queries', '20']);
    expect(sizes.code).toBe(1);
    expect(sizes.stderr.trim()).toBe(
      'npm run eval:scale: a partial run (--sizes 100; --max-queries 20) would replace the full reports in eval/reports/: ' +
        'pass --reports-dir DIR to write its reports elsewhere',
    );
    const fusion = await script(join(ROOT, 'eval', 'fusion-sweep.ts'), ['--max-queries', '10']);
    expect(fusion.code).toBe(1);
    expect(fusion.stderr.trim()).toBe(
      'npm run eval:fusion: a partial run (--max-queries 10) would replace the full reports in eval/reports/: pass --reports-dir DIR to write its reports elsewhere',
    );
  });

  it('eval:ranking refuses a partial run into the default reports folder, as the other scripts do', async () => {
    const ranking = join(ROOT, 'eval', 'reports', 'ranking.md');
    const before = await readFile(ranking, 'utf8');
    const partial = await script(join(ROOT, 'eval', 'ranking-study.ts'), ['--only', 'gorilla-tfhub', '--max-queries', '20']);
    expect(partial.code).toBe(1);
    expect(partial.stderr.trim()).toBe(
      'npm run eval:ranking: a partial run (--only gorilla-tfhub; --max-queries 20) would replace the full reports in eval/reports/: ' +
        'pass --reports-dir DIR to write its reports elsewhere',
    );
    expect(await readFile(ranking, 'utf8')).toBe(before);
  });

  it('eval:scale says where it wrote and which sizes the catalogs could not have', async () => {
    const out = await mkdtemp(join(tmpdir(), 'toolscope-scale-'));
    try {
      const reports = join(out, 'reports');
      const result = await script(scripts[1]!, [
        '--queries-from', 'mcp-catalog', '--sizes', '1', '--max-queries', '3', '--gold-budget', '5', '--embedder', 'use-lite',
        '--reports-dir', reports, '--state-dir', join(out, 'state'),
      ]);
      expect(result.code).toBe(0);
      expect(result.stderr).toMatch(/^mcp-catalog: --sizes 1: every catalog holds the (\d+) relevant tools, so that catalog has \1 tools$/m);
      expect(result.stderr).toContain(`written ${join(reports, 'scale-sweep-mcp-catalog')}.{md,json,svg}\n`);
      expect((await readdir(reports)).sort()).toEqual(['scale-sweep-mcp-catalog.json', 'scale-sweep-mcp-catalog.md', 'scale-sweep-mcp-catalog.svg']);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });

  it('name the reports folder as it was given: absolute, relative or the default', () => {
    const parsed = (args: string[]) =>
      new Command().option('--reports-dir <dir>', 'reports', join(ROOT, 'eval', 'reports')).parse(args, { from: 'user' });
    expect(reportsDirAsGiven(parsed(['--reports-dir', '/tmp/x6']))).toBe('/tmp/x6');
    expect(reportsDirAsGiven(parsed(['--reports-dir', 'out/r']))).toBe('out/r');
    expect(reportsDirAsGiven(parsed([]))).toBe('eval/reports');
  });

  it('eval:models lists its options on --help and refuses unknown ones, writing nothing', async () => {
    const comparison = join(ROOT, 'eval', 'reports', 'models', 'comparison.md');
    const before = await readFile(comparison, 'utf8');
    const models = join(ROOT, 'eval', 'model-comparison.ts');
    const help = await script(models, ['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: npm run eval:models -- \[options\]/);
    expect(help.stdout).toContain('--models-dir <dir>');
    const unknown = await script(models, ['--bogus']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trim()).toBe("error: unknown option '--bogus'");
    expect(await readFile(comparison, 'utf8')).toBe(before);
  });

  it('eval:fusion names a missing --model-dir, and suggests only options it has', async () => {
    const fusion = join(ROOT, 'eval', 'fusion-sweep.ts');
    const nope = join(tmpdir(), 'toolscope-nope', 'models');
    const missing = await script(fusion, ['--model-dir', nope, '--reports-dir', join(tmpdir(), 'toolscope-nope-reports')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(`npm run eval:fusion: --model-dir ${nope} does not exist: give the folder \`npm run models:offline\` built the models into\n`);
    const empty = await mkdtemp(join(tmpdir(), 'toolscope-no-models-'));
    try {
      const unbuilt = await script(fusion, ['--model-dir', empty, '--reports-dir', join(empty, 'reports')]);
      expect(unbuilt.code).toBe(1);
      expect(unbuilt.stderr).toMatch(/^npm run eval:fusion: the transformers model Xenova\/all-MiniLM-L6-v2 could not be loaded from /);
      expect(unbuilt.stderr).toContain('npm run models:offline');
      expect(unbuilt.stderr).not.toContain('--embedder');
      expect(unbuilt.stderr).not.toContain('falling back');
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });

  it('say a missing, empty or invalid benchmark source file in one line, without a stack trace', async () => {
    const root = await mkdtemp(join(tmpdir(), 'toolscope-sources-'));
    try {
      const metatool = join(root, 'metatool');
      await mkdir(metatool);
      await writeFile(join(metatool, 'all_clean_data.csv'), 'Query,Tool\nfind a flight,Expedia\n');
      const args = ['--only', 'metatool-single', '--datasets-root', root, '--reports-dir', join(root, 'reports')];
      const cases: Array<[string | undefined, string]> = [
        [undefined, 'file not found'],
        ['', 'the file is empty'],
        ['{"Expedia": ', 'invalid JSON ('],
      ];
      for (const [content, problem] of cases) {
        if (content !== undefined) await writeFile(join(metatool, 'plugin_des.json'), content);
        const result = await script(scripts[0]!, args);
        expect(result.code).toBe(1);
        expect(result.stderr).toMatch(/^npm run eval: .*\n$/);
        expect(result.stderr).toContain(`npm run eval: ${join(metatool, 'plugin_des.json')}: ${problem}`);
        expect(result.stderr).not.toMatch(/\n\s+at /);
      }
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('eval:ranking changes no source unless told to install the calibration, and installs only from every suite', async () => {
    const ranking = join(ROOT, 'eval', 'ranking-study.ts');
    const calibration = join(ROOT, 'src', 'retrieval', 'confidence-calibration.ts');
    const before = await readFile(calibration, 'utf8');
    const reports = await mkdtemp(join(tmpdir(), 'toolscope-ranking-reports-'));
    const state = await mkdtemp(join(tmpdir(), 'toolscope-ranking-state-'));
    try {
      const partial = await script(ranking, ['--only', 'gorilla-torchhub', '--install-calibration', '--reports-dir', reports]);
      expect(partial.code).toBe(1);
      expect(partial.stderr.trim()).toBe(
        'npm run eval:ranking: --install-calibration needs every suite: toolscope serves the confidence models on any catalog; drop --only',
      );
      const trial = await script(ranking, ['--only', 'gorilla-torchhub', '--max-queries', '3', '--embedder', 'use-lite', '--reports-dir', reports, '--state-dir', state]);
      expect(trial.code).toBe(0);
      expect(trial.stderr).toContain('not installed: --install-calibration writes them into src/retrieval/confidence-calibration.ts');
      expect((await readdir(reports)).sort()).toEqual(['confidence-calibration.md', 'ranking.json', 'ranking.md']);
      expect(await readFile(calibration, 'utf8')).toBe(before);
    } finally {
      await rm(reports, { recursive: true, force: true });
      await rm(state, { recursive: true, force: true });
    }
  });
});
