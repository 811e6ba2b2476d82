import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { expandEnvRecord } from '../config/env-reference.js';
import { requireProgram } from '../config/program.js';
import { expandPathReferences, type ConfigPaths } from '../config/path-reference.js';
import type { StdioServerConfig } from '../config/servers.js';
import { sandboxPolicy, type Bubblewrap } from './sandbox.js';

/** Exactly what a stdio child is started with: an argv (no shell) and its whole environment. */
export interface LaunchSpec {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  /** The command is bubblewrap around the server's own command. */
  readonly sandboxed?: boolean;
  /** Start the child as this user and group (a sandboxed server, when toolscope runs as root). */
  readonly uid?: number;
  readonly gid?: number;
}

/** The only parent variables every child gets; anything else must be declared in the server's `env`. */
export const BASELINE_ENV_VARS = ['PATH', 'HOME', 'LANG'] as const;

export function baselineEnv(source: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of BASELINE_ENV_VARS) {
    const value = source[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

/**
 * Resolves a stdio entry: `${configDir}`/`${stateDir}` in args, cwd and env values, `${env:NAME}` in env values.
 * The working directory defaults to the config file's folder, so relative paths mean the same from anywhere.
 */
export function stdioLaunchSpec(
  server: string,
  config: StdioServerConfig,
  paths: ConfigPaths,
  source: NodeJS.ProcessEnv = process.env,
): LaunchSpec {
  const declared = Object.fromEntries(
    Object.entries(config.env).map(([key, value]) => [key, expandPathReferences(value, paths)]),
  );
  return {
    command: config.command,
    args: config.args.map((arg) => expandPathReferences(arg, paths)),
    cwd: resolve(paths.configDir, expandPathReferences(config.cwd ?? '.', paths)),
    env: { ...baselineEnv(source), ...expandEnvRecord(declared, `servers.${server}.env`, source) },
  };
}

/** The folder a stdio server is to run in is not there: spawn would blame the program (ENOENT), and a retry cannot help. */
export class WorkingFolderMissing extends Error {
  constructor(server: string, cwd: string) {
    super(`servers.${server}.cwd: ${cwd} does not exist or is not a folder`);
    this.name = 'WorkingFolderMissing';
  }
}

/**
 * What to spawn for a stdio server: its own launch spec, wrapped in bubblewrap as its `sandbox` says. A program not
 * on the child's PATH, or a working folder that is not there, is refused here, before anything is spawned.
 */
export async function stdioLaunch(
  server: string,
  config: StdioServerConfig,
  paths: ConfigPaths,
  bubblewrap: Bubblewrap,
): Promise<LaunchSpec> {
  const spec = stdioLaunchSpec(server, config, paths);
  await requireProgram(`servers.${server}.command`, spec.command, spec.env.PATH);
  if (!(await stat(spec.cwd).catch(() => undefined))?.isDirectory()) throw new WorkingFolderMissing(server, spec.cwd);
  return bubblewrap.confine(server, spec, config.sandbox.mode, () => sandboxPolicy(server, config.sandbox, paths));
}

/** Header values for an HTTP/SSE server, `${env:NAME}` expanded; nothing from the calling client is ever added. */
export function httpHeaders(
  server: string,
  headers: Readonly<Record<string, string>>,
  source: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  return expandEnvRecord(headers, `servers.${server}.headers`, source);
}
