/**
 * `npm run bench`: routing latency, forwarding overhead, throughput, index build, memory and context cost on this
 * machine, within 10 minutes, written to eval/reports/bench.{json,md}. Traffic stays on 127.0.0.1.
 * `npm run bench -- --help` lists the options.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { TRANSFORMERS_DTYPES, type TransformersDtype } from '../../src/embedding/index.js';
import { prepareStateCache, runBench } from './bench.js';
import { builtModel, STAND_IN_MODEL } from './embedders.js';
import { DEFAULT_BENCH_STATE, REPO_ROOT, REPORTS_DIR, SHARED_ROOT } from './paths.js';
import { FULL_PLAN, QUICK_PLAN } from './plan.js';
import type { BenchReport } from './report.js';
import { benchMarkdown } from './report-markdown.js';
import { reportUsageErrorsPlainly } from '../script-errors.js';

const argv = process.argv.slice(2);
reportUsageErrorsPlainly('npm run bench');
const command = new Command('npm run bench --')
  .description('routing, forwarding, throughput, index build, memory and context cost on this machine, within 10 minutes')
  .option('--quick', 'the same measurements, smaller (about a minute); written to .cache/bench-quick/ unless --out', false)
  .option('--prepare', 'only fill the warm embedding caches the bench needs (no deadline; resumable)', false)
  .option('--out <dir>', 'where bench.json and bench.md go (default: eval/reports)')
  .option('--datasets-root <dir>', 'the shared public benchmarks', join(SHARED_ROOT, 'datasets'))
  .option('--state-dir <dir>', 'embedding caches kept between runs', DEFAULT_BENCH_STATE)
  .option(
    '--model-dir <dir>',
    'measure "transformers" with a real model built by `npm run models:offline` (default: the random-weight stand-in from ../shared/models)',
  )
  .option('--model <id>', 'with --model-dir: the model folder to load (default: the shipped default model)')
  .addOption(new Option('--dtype <dtype>', 'with --model-dir: weights variant (default q8)').choices(TRANSFORMERS_DTYPES))
  .parse(argv, { from: 'user' });
const options = command.opts<{ quick: boolean; prepare: boolean; out?: string; datasetsRoot: string; stateDir: string; modelDir?: string; model?: string; dtype?: TransformersDtype }>();
if (options.modelDir === undefined && (options.model !== undefined || options.dtype !== undefined)) {
  command.error('--model and --dtype choose a model in --model-dir; give --model-dir too');
}
const model = options.modelDir === undefined ? STAND_IN_MODEL : builtModel(options.modelDir, options.model, options.dtype);
const plan = options.quick ? QUICK_PLAN : FULL_PLAN;
const outDir = options.out ?? (options.quick ? join(REPO_ROOT, '.cache', 'bench-quick') : REPORTS_DIR);
const log = (line: string) => process.stderr.write(`bench: ${line}\n`);
const workDir = await mkdtemp(join(tmpdir(), 'toolscope-bench-'));
const common = { plan, datasetsRoot: options.datasetsRoot, stateRoot: options.stateDir, workDir, model, log };

async function writeReport(report: BenchReport): Promise<void> {
  await mkdir(outDir, { recursive: true });
  await writeFile(join(outDir, 'bench.json'), `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(join(outDir, 'bench.md'), benchMarkdown(report));
}

try {
  if (options.prepare) {
    await prepareStateCache(common);
  } else {
    // The sections keep to their allowances; this is the backstop if one does not. Reports are written after every
    // section, so the last one stays on disk.
    const backstop = setTimeout(() => {
      log(`deadline of ${plan.deadlineMs / 1000} s reached: stopping; ${join(outDir, 'bench.md')} holds the sections finished so far`);
      process.exit(2);
    }, plan.deadlineMs);
    backstop.unref();
    const report = await runBench({ ...common, command: ['npm run bench', ...(argv.length > 0 ? ['--', ...argv] : [])].join(' '), onSection: writeReport });
    await writeReport(report);
    for (const target of report.targets) log(`${target.status.padEnd(12)} ${target.target}: ${target.measured}`);
    log(`report written to ${join(outDir, 'bench.md')} and bench.json`);
  }
} finally {
  await rm(workDir, { recursive: true, force: true });
}
// A section abandoned at its deadline may still hold sockets or timers; the run is over.
process.exit(0);
