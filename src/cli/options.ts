import { InvalidArgumentError, Option, type Command } from 'commander';
import { loadConfig, loadConfigForState, type LoadedConfig } from '../config/load.js';
import { configPaths } from '../config/path-reference.js';
import { createLogger, defaultLogFormat, LOG_FORMATS, type LogFormat, type Logger } from '../log.js';
import { createStateBackend, type StateBackend } from '../state/state-backend.js';

export const DEFAULT_CONFIG = 'toolscope.json';

/** The global `--config` value, wherever on the command line it was given. */
export function configPath(command: Command): string {
  return command.optsWithGlobals<{ config: string }>().config;
}

/** `--log-format json|pretty`: pretty when stderr is a terminal, JSON lines otherwise. */
export function logFormatOption(): Option {
  return new Option('--log-format <format>', 'log lines on stderr: json, or pretty for people (default: pretty on a terminal, else json)').choices(
    LOG_FORMATS,
  );
}

/** The logger of a command that logs (serve, eval): `level`, in the format `--log-format` asks for. */
export function commandLogger(command: Command, level: string): Logger {
  return createLogger(level, command.optsWithGlobals<{ logFormat?: LogFormat }>().logFormat ?? defaultLogFormat());
}

export function loadCommandConfig(command: Command): Promise<LoadedConfig> {
  return loadConfig(configPath(command));
}

/** Parses an option value that must be a whole number above zero, in plain digits (`Number` alone takes 0x5 or 1e1). */
export function positiveInteger(text: string): number {
  const value = Number(text);
  if (!/^[1-9]\d*$/.test(text) || !Number.isSafeInteger(value)) throw new InvalidArgumentError(`'${text}' is not a positive integer.`);
  return value;
}

/** Parses `1,5,10`: distinct positive integers, ascending. */
export function positiveIntegerList(text: string): number[] {
  return [...new Set(text.split(',').map((part) => positiveInteger(part.trim())))].sort((a, b) => a - b);
}

/** Collects a repeatable `KEY=VALUE` option into a record. */
export function keyValue(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const separator = value.indexOf('=');
  if (separator < 1) throw new InvalidArgumentError('expected KEY=VALUE.');
  return { ...previous, [value.slice(0, separator)]: value.slice(separator + 1) };
}

/**
 * Runs `use` against the state the config names (the state folder, or the Redis that replicas share), so the
 * CLI's answers reach every replica; a Redis that cannot be reached fails the command with the reason.
 */
export async function withCommandState<T>(command: Command, use: (state: StateBackend, loaded: LoadedConfig) => Promise<T>): Promise<T> {
  return withLoadedState(await loadCommandConfig(command), use);
}

/**
 * For commands that need nothing but the state (answer approvals, review quarantine, revoke a token, read the audit
 * log): they keep working while the config file holds an edit a running serve refused (`loadConfigForState`), with a
 * warning, so a call waiting for approval can still be answered.
 */
export async function loadCommandConfigForState(command: Command): Promise<LoadedConfig> {
  const { loaded, problems } = await loadConfigForState(configPath(command));
  if (problems) {
    process.stderr.write(
      `toolscope: warning: ${loaded.path} is not a valid config (${problems.length} problem(s); \`toolscope status\` lists them); ` +
        `going on with its stateDir, state and audit sections: the state in ${configPaths(loaded).stateDir}\n`,
    );
  }
  return loaded;
}

/** `withCommandState` for commands that need nothing but the state (`loadCommandConfigForState`). */
export async function withStateOnly<T>(command: Command, use: (state: StateBackend) => Promise<T>): Promise<T> {
  return withLoadedState(await loadCommandConfigForState(command), use);
}

/** Opens the state `loaded` names, runs `use` against it, and closes it. */
export async function withLoadedState<T>(loaded: LoadedConfig, use: (state: StateBackend, loaded: LoadedConfig) => Promise<T>): Promise<T> {
  const state = createStateBackend(loaded.config.state, configPaths(loaded).stateDir, createLogger('silent'));
  await state.open();
  try {
    return await use(state, loaded);
  } finally {
    await state.close();
  }
}
