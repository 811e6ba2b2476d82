import { InvalidArgumentError, type Command } from 'commander';
import { loadConfig, type LoadedConfig } from '../config/load.js';

export const DEFAULT_CONFIG = 'toolscope.json';

/** The global `--config` value, wherever on the command line it was given. */
export function configPath(command: Command): string {
  return command.optsWithGlobals<{ config: string }>().config;
}

export function loadCommandConfig(command: Command): Promise<LoadedConfig> {
  return loadConfig(configPath(command));
}

/** Collects a repeatable `KEY=VALUE` option into a record. */
export function keyValue(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const separator = value.indexOf('=');
  if (separator < 1) throw new InvalidArgumentError('expected KEY=VALUE.');
  return { ...previous, [value.slice(0, separator)]: value.slice(separator + 1) };
}
