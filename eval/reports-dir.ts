import type { Command } from 'commander';

/** How the help names the default reports folder: the scripts resolve it from the repository, wherever they run. */
export const DEFAULT_REPORTS_SHOWN = 'eval/reports';

/** The `--reports-dir` of `command` as the user gave it (or as the help names the default), for messages. */
export function reportsDirAsGiven(command: Command): string {
  return command.getOptionValueSource('reportsDir') === 'default' ? DEFAULT_REPORTS_SHOWN : String(command.getOptionValue('reportsDir'));
}
