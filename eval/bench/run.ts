/**
 * `npm run bench`: routing latency, forwarding overhead, throughput, index build, memory and context cost on this
 * machine, within 10 minutes, written to eval/reports/bench.{json,md}. Traffic stays on 127.0.0.1.
 *
 *   --quick               the same measurements, smaller (about a minute); writes to .cache/bench-quick/ unless --out
 *   --prepare             only fill the warm embedding caches the bench needs (no deadline; resumable)
 *   --out DIR             where bench.json and bench.md go
 *   --datasets-root DIR   the shared datasets (default ../shared/datasets)
 *   --state-dir DIR       embedding caches kept between runs (default .cache/bench-state)
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { prepareStateCache, runBench } from './bench.js';
import { DEFAULT_BENCH_STATE, REPO_ROOT, REPORTS_DIR, SHARED_ROOT } from './paths.js';
import { FULL_PLAN, QUICK_PLAN } from './plan.js';
import type { BenchReport } from './report.js';
import { benchMarkdown } from './report-markdown.js';

const argv = process.argv.slice(2);
const { values } = parseArgs({
  args: argv,
  options: {
    quick: { type: 'boolean', default: false },
    prepare: { type: 'boolean', default: false },
    out: { type: 'string' },
    'datasets-root': { type: 'string', default: join(SHARED_ROOT, 'datasets') },
    'state-dir': { type: 'string', default: DEFAULT_BENCH_STATE },
  },
});
const plan = values.quick ? QUICK_PLAN : FULL_PLAN;
const outDir = values.out ?? (values.quick ? join(REPO_ROOT, '.cache', 'bench-quick') : REPORTS_DIR);
const log = (line: string) => process.stderr.write(`bench: ${line}\n`);
const workDir = await mkdtemp(join(tmpdir(), 'toolscope-bench-'));
const common = { plan, datasetsRoot: values['datasets-root'], stateRoot: values['state-dir'], workDir, log };

async function writeReport(report: BenchReport): Promise<void> {
  await mkdir(outDir, { recursive: true });
  await writeFile(join(outDir, 'bench.json'), `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(join(outDir, 'bench.md'), benchMarkdown(report));
}

try {
  if (values.prepare) {
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
