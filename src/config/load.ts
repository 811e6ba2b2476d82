import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { getNodeValue, parse as parseJsonc, parseTree, printParseErrorCode, type ParseError } from 'jsonc-parser';
import type { z } from 'zod';
import { configSchema, type ToolscopeConfig } from './schema.js';

/**
 * A config that cannot be used; `problems` lists each one as `json.path: what is wrong`. `headline` says what the
 * problems are of: by default the file is not a valid toolscope config.
 */
export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
    headline = `${file} is not a valid toolscope config`,
  ) {
    super(`${headline}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export interface LoadedConfig {
  readonly path: string;
  /** Folder the config's relative paths (stateDir, cwd) are resolved against. */
  readonly baseDir: string;
  readonly config: ToolscopeConfig;
}

export function formatIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((issue) => {
    const path = issue.path.map(String).join('.') || '(root)';
    const missing = issue.code === 'invalid_type' && /received undefined/.test(issue.message);
    // A record's key (a server name, a header name) that breaks its rule: that rule, not zod's "Invalid key in record".
    const message = issue.code === 'invalid_key' ? issue.issues.map((keyIssue) => keyIssue.message).join('; ') : issue.message;
    return `${path}: ${missing ? 'required' : message}`;
  });
}

export function parseConfig(raw: unknown, file: string): ToolscopeConfig {
  const result = configSchema.safeParse(raw);
  if (!result.success) throw new ConfigError(file, formatIssues(result.error.issues));
  return result.data;
}

/** The JSON a config file holds; `kind` names what the file should be, for the error when it cannot be read. */
export async function readConfigJson(path: string, kind = 'toolscope config'): Promise<unknown> {
  const headline = `${path} is not a valid ${kind}`;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(path, [code === 'ENOENT' ? '(file): not found' : `(file): cannot read (${code})`], headline);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ConfigError(path, [`(file): invalid JSON ${locateJsonError(text) ?? `(${(error as Error).message})`}`], headline);
  }
}

/** Where the first syntax error of `text` is, as an editor shows it: `at line 4, column 1: property name expected`. */
export function locateJsonError(text: string): string | undefined {
  const errors: ParseError[] = [];
  parseJsonc(text, errors, { disallowComments: true, allowTrailingComma: false });
  const first = errors[0];
  if (!first) return undefined;
  const before = text.slice(0, first.offset).split('\n');
  const what = printParseErrorCode(first.error).replace(/(?<=[a-z])(?=[A-Z])/g, ' ').toLowerCase();
  return `at line ${before.length}, column ${before.at(-1)!.length + 1}: ${what}`;
}

export async function loadConfig(path: string): Promise<LoadedConfig> {
  const absolute = resolve(path);
  const config = parseConfig(await readConfigJson(absolute), absolute);
  return { path: absolute, baseDir: dirname(absolute), config };
}

/** The sections that say where a serve keeps its state: all that commands answering that state need. */
const STATE_SECTIONS = ['stateDir', 'state', 'audit'] as const;

/**
 * The top-level `sections` of a config file that is not valid JSON (half saved, a stray comma), those written in full
 * before its first syntax error; undefined when the file cannot be read or holds no object.
 */
async function sectionsBeforeSyntaxError(path: string, sections: readonly string[]): Promise<Record<string, unknown> | undefined> {
  const text = await readFile(path, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { disallowComments: true });
  if (root?.type !== 'object') return undefined;
  const end = errors[0]?.offset ?? text.length;
  const complete = (root.children ?? []).filter((property) => property.offset + property.length <= end && property.children?.length === 2);
  return Object.fromEntries(
    complete.filter((property) => sections.includes(property.children![0]!.value as string)).map((property) => [property.children![0]!.value as string, getNodeValue(property.children![1]!)]),
  );
}

/**
 * The config for commands that read or answer what a running serve keeps (approvals, quarantine, token revocation,
 * the audit log). When the file holds an edit the serve refused, the serve still runs on the previous config and its
 * waiting calls still need answers: so these go on with the file's own `stateDir`, `state` and `audit` when those are
 * valid (the rest at defaults), and return the file's problems for the caller to mention; in a file that is not even
 * JSON, with those written before the first syntax error. Otherwise the error stands.
 */
export async function loadConfigForState(path: string): Promise<{ loaded: LoadedConfig; problems?: readonly string[] }> {
  try {
    return { loaded: await loadConfig(path) };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const raw = await readConfigJson(error.file).catch(() => sectionsBeforeSyntaxError(error.file, STATE_SECTIONS));
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw error;
    const sections = Object.fromEntries(STATE_SECTIONS.filter((key) => key in raw).map((key) => [key, (raw as Record<string, unknown>)[key]]));
    const config = configSchema.safeParse(sections);
    if (!config.success) throw error;
    return { loaded: { path: error.file, baseDir: dirname(error.file), config: config.data }, problems: error.problems };
  }
}
