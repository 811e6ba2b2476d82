import { resolve } from 'node:path';
import { lock } from 'proper-lockfile';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { pathExists } from '../fs/path-exists.js';
import { ConfigError, formatIssues, readConfigJson } from './load.js';
import { configSchema } from './schema.js';

/** The config file as JSON, before validation: edits go here so fields toolscope does not know survive. */
export type RawConfig = Record<string, unknown>;

export interface EditOptions {
  /** Start from `{}` when the file does not exist yet (e.g. the first `toolscope add`). */
  readonly createIfMissing?: boolean;
}

/**
 * How long an edit waits for another one to finish, and when a lock left by a killed process counts as abandoned.
 * An edit holds the lock for milliseconds.
 */
const EDIT_LOCK = { retries: { retries: 100, minTimeout: 10, maxTimeout: 100 }, stale: 10_000, realpath: false } as const;

/**
 * Applies `edit` to the raw JSON of the config, validates the result with the schema (refusing it, file
 * untouched, if invalid) and writes it atomically. Returns what `edit` returned. Edits of the same file take turns
 * (a lock beside it, `<file>.lock`), so two `toolscope add` run at once both land.
 */
export async function editConfig<T>(
  path: string,
  edit: (raw: RawConfig) => T,
  options: EditOptions = {},
): Promise<T> {
  const file = resolve(path);
  const release = await lock(file, EDIT_LOCK).catch((error: unknown) => {
    throw new Error(`${file} is being edited by another toolscope command (${(error as Error).message}); try again`);
  });
  try {
    return await editUnlocked(file, edit, options);
  } finally {
    await release();
  }
}

async function editUnlocked<T>(file: string, edit: (raw: RawConfig) => T, options: EditOptions): Promise<T> {
  const raw = options.createIfMissing && !(await pathExists(file)) ? {} : await readConfigJson(file);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(file, ['(root): must be a JSON object']);
  }
  const edited = structuredClone(raw) as RawConfig;
  const result = edit(edited);
  const refused = configSchema.safeParse(edited);
  if (!refused.success) {
    // A file that was valid before is not the problem: the change is, and the file keeps what it held.
    const headline = configSchema.safeParse(raw).success ? `${file} was left as it was: the change would make it invalid` : undefined;
    throw new ConfigError(file, formatIssues(refused.error.issues), headline);
  }
  await writeFileAtomic(file, `${JSON.stringify(edited, null, 2)}\n`);
  return result;
}

/** The raw `servers` object, created when absent. */
export function rawServers(raw: RawConfig, file: string): Record<string, unknown> {
  raw.servers ??= {};
  const servers = raw.servers;
  if (servers === null || typeof servers !== 'object' || Array.isArray(servers)) {
    throw new ConfigError(file, ['servers: must be an object']);
  }
  return servers as Record<string, unknown>;
}

/** The raw entry of one server, which must exist. */
export function rawServer(raw: RawConfig, file: string, name: string): Record<string, unknown> {
  const entry = rawServers(raw, file)[name];
  if (entry === undefined) throw new Error(`no server named "${name}" in ${file}`);
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
    throw new ConfigError(file, [`servers.${name}: must be an object`]);
  }
  return entry as Record<string, unknown>;
}
