import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { positiveInteger } from '../src/cli/options.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Where the suite scripts write unless told otherwise: the committed reports. */
export const DEFAULT_REPORTS_DIR = join(repoRoot, 'eval', 'reports');

/** What `addSuiteOptions` adds: which suites, how many queries of each, and where the data, caches and reports are. */
export interface SuiteOptions {
  readonly only?: string;
  readonly maxQueries: number;
  readonly datasetsRoot: string;
  readonly stateDir: string;
  readonly reportsDir: string;
}

/** The options of the scripts that run every benchmark suite (`npm run eval`, `eval:ranking`), alike in both. */
export function addSuiteOptions(command: Command, defaultMaxQueries: number): Command {
  return command
    .option('--only <names>', 'comma-separated dataset names')
    .option('--max-queries <n>', 'deterministic sample of queries per dataset', positiveInteger, defaultMaxQueries)
    .option('--datasets-root <dir>', 'the shared public benchmarks', resolve(repoRoot, '..', 'shared', 'datasets'))
    .option('--state-dir <dir>', 'embedding caches kept between runs', join(repoRoot, '.cache', 'eval-state'))
    .option('--reports-dir <dir>', 'where the reports go (a partial run needs one: it would replace the full reports)', DEFAULT_REPORTS_DIR);
}
