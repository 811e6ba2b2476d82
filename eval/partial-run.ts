import type { Command } from 'commander';
import { EvalSetupError } from '../src/eval/input-error.js';

/**
 * Options of `command` given values other than their defaults, each as `--name value`: what makes a script's run
 * measure less (or other) than the committed reports it would write over.
 */
export function narrowedOptions(command: Command, names: readonly string[]): string[] {
  return names.flatMap((name) => {
    const option = command.options.find((candidate) => candidate.attributeName() === name);
    const value: unknown = command.getOptionValue(name);
    if (option === undefined || JSON.stringify(value) === JSON.stringify(option.defaultValue)) return [];
    return [`${option.long} ${Array.isArray(value) ? value.join(',') : String(value)}`];
  });
}

/**
 * The default reports folder (`shown` as the message names it) holds the results of a full run, which are committed:
 * a partial run is refused there, before any work, unless `--reports-dir` says where else to write.
 */
export function refusePartialRunIntoDefaultReports(command: Command, reasons: readonly string[], shown: string): void {
  if (reasons.length === 0 || command.getOptionValueSource('reportsDir') !== 'default') return;
  throw new EvalSetupError(
    `a partial run (${reasons.join('; ')}) would replace the full reports in ${shown}: pass --reports-dir DIR to write its reports elsewhere`,
  );
}
