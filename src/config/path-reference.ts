import { resolve } from 'node:path';
import type { LoadedConfig } from './load.js';

/** Folders a server entry may refer to: `${configDir}` (the config file's folder) and `${stateDir}`. */
export interface ConfigPaths {
  readonly configDir: string;
  readonly stateDir: string;
  /** The config file itself (hidden from sandboxed servers, like the state folder). */
  readonly configFile?: string;
}

export function configPaths(loaded: LoadedConfig): ConfigPaths {
  return { configDir: loaded.baseDir, stateDir: resolve(loaded.baseDir, loaded.config.stateDir), configFile: loaded.path };
}

const REFERENCE = /\$\{(configDir|stateDir)\}/g;

/** Replaces `${configDir}` and `${stateDir}` with absolute paths, so entries work from any working directory. */
export function expandPathReferences(value: string, paths: ConfigPaths): string {
  return value.replace(REFERENCE, (_match, name: 'configDir' | 'stateDir') => paths[name]);
}
