import { stat } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError, formatIssues } from './load.js';
import { describeSimilarName, typosquatInArgv } from '../policy/supply-chain/typosquat.js';
import { isSecretKeyName, Redactor } from '../policy/audit/redactor.js';
import { withoutEnvReferences } from './env-reference.js';
import { findProgram } from './program.js';
import { SERVER_NAME, serverSchema } from './servers.js';

/** A Claude Desktop / Cursor style client config: `{"mcpServers": {NAME: {command, args, env} | {url, headers}}}`. */
const clientConfigSchema = z.object({
  mcpServers: z.record(z.string(), z.unknown()),
});

export interface ImportPlan {
  /** Entries to add, in toolscope's shape, each with what of the client's entry it could not keep. */
  readonly accepted: ReadonlyArray<{ readonly name: string; readonly entry: Record<string, unknown>; readonly notes: readonly string[] }>;
  readonly refused: ReadonlyArray<{ readonly name: string; readonly reasons: readonly string[] }>;
}

export interface ImportOptions {
  /** Accept npx/uvx packages whose names are close to a known MCP server package (otherwise refused as typosquats). */
  readonly allowSimilarNames?: boolean;
}

/** What `import` reads, as its errors name it. */
export const CLIENT_CONFIG = 'Claude Desktop / Cursor config';

/** Decides, entry by entry, what a client config contributes; nothing is written here. */
export function planImport(raw: unknown, file: string, existing: ReadonlySet<string>, options: ImportOptions = {}): ImportPlan {
  const parsed = clientConfigSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(file, formatIssues(parsed.error.issues), `${file} is not a valid ${CLIENT_CONFIG}`);
  const accepted: Array<{ name: string; entry: Record<string, unknown>; notes: string[] }> = [];
  const refused: Array<{ name: string; reasons: string[] }> = [];
  for (const [name, value] of Object.entries(parsed.data.mcpServers)) {
    const reasons = nameProblems(name, existing);
    const entry = toToolscopeEntry(value);
    if (!entry) {
      reasons.push(`mcpServers.${name}: must be an object with "command" or "url"`);
    } else {
      reasons.push(...unexpandedVariables(entry).map((problem) => `mcpServers.${name}.${problem}`));
      const check = serverSchema.safeParse(entry);
      if (!check.success) reasons.push(...formatIssues(check.error.issues).map((line) => `mcpServers.${name}.${line}`));
      const similar = check.success && check.data.type === 'stdio' ? typosquatInArgv(check.data.command, check.data.args) : undefined;
      if (similar && !options.allowSimilarNames) reasons.push(`mcpServers.${name}: ${describeSimilarName(similar)}`);
    }
    if (entry && reasons.length === 0) accepted.push({ name, entry, notes: droppedFields(name, value) });
    else refused.push({ name, reasons });
  }
  return { accepted, refused };
}

/**
 * What a server entry added by `import` or `add` should not keep as it is: secrets written into the file (they belong
 * in toolscope's environment, referred to as `${env:NAME}`) and programs that are not on PATH (the server would fail
 * to start), or a working folder that is not there. `where` names the entry (`mcpServers.NAME` in an imported file,
 * `servers.NAME`); a relative `cwd` is read from `configDir`, as toolscope reads it. The secret values themselves are
 * never repeated.
 */
export async function entryWarnings(where: string, entry: Record<string, unknown>, configDir: string): Promise<string[]> {
  const parsed = serverSchema.safeParse(entry);
  if (!parsed.success) return [];
  const server = parsed.data;
  const warnings: string[] = [];
  const values: Record<string, Record<string, string>> = server.type === 'stdio' ? { env: server.env } : { headers: server.headers };
  for (const [field, record] of Object.entries(values)) {
    for (const [key, value] of Object.entries(record)) {
      if (isLiteralSecret(key, value)) {
        const variable = environmentName(key);
        warnings.push(
          `${where}.${field}.${key} holds a literal secret, now written into the config: set it in toolscope's environment ` +
            `as ${variable} and write "${authScheme(value)}\${env:${variable}}" instead`,
        );
      }
    }
  }
  if (server.type === 'stdio') {
    server.args.forEach((arg, index) => {
      if (looksLikeSecret(arg)) warnings.push(`${where}.args[${index}] looks like a literal secret: pass it through "env" as "\${env:NAME}" instead`);
    });
    // A folder given through `${configDir}`/`${stateDir}` is checked when the server starts.
    if (server.cwd !== undefined && !server.cwd.includes('${')) {
      const folder = resolve(configDir, server.cwd);
      if (!(await stat(folder).catch(() => undefined))?.isDirectory()) {
        warnings.push(`${where}.cwd: ${folder} does not exist or is not a folder; the server will not start until it is one`);
      }
    }
    const searchPath = server.env.PATH ?? process.env.PATH;
    if (!(await findProgram(server.command, searchPath))) {
      const missing = isAbsolute(server.command) ? 'does not exist or is not executable' : 'not found on PATH';
      warnings.push(`${where}.command: "${server.command}" ${missing}; the server will not start until it is installed`);
    }
  }
  return warnings;
}

/** A variable name for the secret under `key`: `Authorization` -> `AUTHORIZATION`, `x-api-key` -> `X_API_KEY`. */
function environmentName(key: string): string {
  const name = key.toUpperCase().replace(/[^A-Z0-9_]/g, '_');
  return /^[0-9]/.test(name) ? `_${name}` : name;
}

/** The scheme a header value opens with (`Bearer `, `Basic `, ...), which stays in the config before the reference. */
function authScheme(value: string): string {
  return /^(?:Bearer|Basic|Token|Bot)\s+/i.exec(value)?.[0] ?? '';
}

const secretShapes = new Redactor();

/** A credential-shaped value (a GitHub token, an API key, `KEY=value` with a secret key name, ...). */
function looksLikeSecret(value: string): boolean {
  return secretShapes.redactString(value) !== value;
}

/** A value under a secret-sounding name, or of a credential shape, that is not an `${env:…}` reference alone (after its auth scheme). */
function isLiteralSecret(key: string, value: string): boolean {
  const literal = withoutEnvReferences(value.slice(authScheme(value).length)).trim();
  if (literal.length === 0) return false;
  return looksLikeSecret(value) || (isSecretKeyName(key) && literal.length >= 4);
}

function nameProblems(name: string, existing: ReadonlySet<string>): string[] {
  if (!SERVER_NAME.test(name) || name.includes('__')) {
    return [`mcpServers.${name}: the name must use letters, digits, "_" and "-" (no "__")`];
  }
  if (existing.has(name)) return [`mcpServers.${name}: a server with this name is already in the config`];
  return [];
}

/**
 * Keeps the fields toolscope understands; client-specific extras (e.g. `alwaysAllow`) are dropped. A client's `${NAME}`
 * in an `env` or `headers` value (Claude Code's, Cursor's) becomes toolscope's `${env:NAME}`.
 */
function toToolscopeEntry(value: unknown): Record<string, unknown> | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const source = value as Record<string, unknown>;
  const entry: Record<string, unknown> = {};
  if ('url' in source) {
    entry.type = source.type === 'sse' ? 'sse' : 'http';
    entry.url = source.url;
    if (source.headers !== undefined) entry.headers = withEnvReferences(source.headers);
  } else if ('command' in source) {
    entry.command = source.command;
    if (source.args !== undefined) entry.args = source.args;
    if (source.env !== undefined) entry.env = withEnvReferences(source.env);
    if (source.cwd !== undefined) entry.cwd = source.cwd;
  } else {
    return undefined;
  }
  if (source.disabled === true) entry.enabled = false;
  return entry;
}

/** What a client's entry asks for that the imported one does without: Cursor's `envFile`, read by no one now. */
function droppedFields(name: string, value: unknown): string[] {
  if (value === null || typeof value !== 'object' || !('envFile' in value)) return [];
  return [
    `mcpServers.${name}.envFile is not read by toolscope: set the variables the server needs in toolscope's environment ` +
      'and list them under "env" as "NAME": "${env:NAME}"',
  ];
}

/** `${NAME}` (Claude Code, Cursor) as toolscope writes it, `${env:NAME}`, in each string value of a record. */
function withEnvReferences(record: unknown): unknown {
  if (record === null || typeof record !== 'object' || Array.isArray(record)) return record;
  return Object.fromEntries(
    Object.entries(record).map(([key, value]) => [key, typeof value === 'string' ? value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, '$${env:$1}') : value]),
  );
}

/**
 * The client variables toolscope would pass on as literal text: any `${…}` in `command`, `args`, `cwd` or `url`
 * (toolscope expands none there), and in `env`/`headers` values any but `${env:NAME}` (Claude Code's
 * `${NAME:-default}`, VS Code's `${workspaceFolder}` or `${input:…}`). Each named with where it is.
 */
function unexpandedVariables(entry: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const check = (where: string, value: unknown, expanded: boolean) => {
    if (typeof value !== 'string') return;
    const variable = [...value.matchAll(/\$\{[^}]*\}/g)].map(([match]) => match).find((match) => !expanded || withoutEnvReferences(match) !== '');
    if (variable === undefined) return;
    problems.push(
      expanded
        ? `${where}: "${variable}" is a client's variable that toolscope does not expand (it expands only "\${env:NAME}"): write the value, or set it in toolscope's environment and write "\${env:NAME}"`
        : `${where}: "${variable}" would reach the server as written: toolscope expands variables only in "env" and "headers" values; write the value (a path: the folder itself), or pass it through "env"`,
    );
  };
  for (const field of ['command', 'cwd', 'url'] as const) check(field, entry[field], false);
  if (Array.isArray(entry.args)) entry.args.forEach((arg, index) => check(`args[${index}]`, arg, false));
  for (const field of ['env', 'headers'] as const) {
    const record = entry[field];
    if (record !== null && typeof record === 'object') for (const [key, value] of Object.entries(record)) check(`${field}.${key}`, value, true);
  }
  return problems;
}
