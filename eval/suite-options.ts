import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { positiveInteger } from '../src/cli/options.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Where the suite scripts write unless told otherwise: the committed reports. */
export const DEFAULT_REPORTS_DIR = join(repoRoot, 'eval', 'reports');

/** What `addLocationOptions` adds: where the benchmarks, the embedding caches and the reports are. */
export interface LocationOptions {
  readonly datasetsRoot: string;
  readonly stateDir: string;
  readonly reportsDir: string;
}

/** What `addSuiteOptions` adds: which suites, how many queries of each, and the locations. */
export interface SuiteOptions extends LocationOptions {
  readonly only?: string;
  readonly maxQueries: number;
}

/**
 * Where every eval script reads and writes. `partialRun` says what run needs its own reports folder (it would replace
 * the committed reports); `stateSubdir` keeps a script's caches apart from the suites' own.
 */
export function addLocationOptions(command: Command, places: { partialRun: string; stateSubdir?: string }): Command {
  const stateDir = join(repoRoot, '.cache', 'eval-state', ...(places.stateSubdir === undefined ? [] : [places.stateSubdir]));
  return command
    .option('--datasets-root <dir>', 'the shared public benchmarks', resolve(repoRoot, '..', 'shared', 'datasets'))
    .option('--state-dir <dir>', 'embedding caches kept between runs', stateDir)
    .option('--reports-dir <dir>', `where the reports go (${places.partialRun} needs one: it would replace the committed reports)`, DEFAULT_REPORTS_DIR);
}

/** The options of the scripts that run every benchmark suite (`npm run eval`, `eval:ranking`), alike in both. */
export function addSuiteOptions(command: Command, defaultMaxQueries: number): Command {
  command
    .option('--only <names>', 'comma-separated dataset names')
    .option('--max-queries <n>', 'deterministic sample of queries per dataset', positiveInteger, defaultMaxQueries);
  return addLocationOptions(command, { partialRun: 'a partial run' });
}
