import { z } from 'zod';
import { ConfigError, formatIssues } from './load.js';
import { describeSimilarName, typosquatInArgv } from '../policy/supply-chain/typosquat.js';
import { SERVER_NAME, serverSchema } from './servers.js';

/** A Claude Desktop / Cursor style client config: `{"mcpServers": {NAME: {command, args, env} | {url, headers}}}`. */
const clientConfigSchema = z.object({
  mcpServers: z.record(z.string(), z.unknown()),
});

export interface ImportPlan {
  /** Entries to add, in toolscope's shape. */
  readonly accepted: ReadonlyArray<{ readonly name: string; readonly entry: Record<string, unknown> }>;
  readonly refused: ReadonlyArray<{ readonly name: string; readonly reasons: readonly string[] }>;
}

export interface ImportOptions {
  /** Accept npx/uvx packages whose names are close to a known MCP server package (otherwise refused as typosquats). */
  readonly allowSimilarNames?: boolean;
}

/** Decides, entry by entry, what a client config contributes; nothing is written here. */
export function planImport(raw: unknown, file: string, existing: ReadonlySet<string>, options: ImportOptions = {}): ImportPlan {
  const parsed = clientConfigSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(file, formatIssues(parsed.error.issues));
  const accepted: Array<{ name: string; entry: Record<string, unknown> }> = [];
  const refused: Array<{ name: string; reasons: string[] }> = [];
  for (const [name, value] of Object.entries(parsed.data.mcpServers)) {
    const reasons = nameProblems(name, existing);
    const entry = toToolscopeEntry(value);
    if (!entry) {
      reasons.push(`mcpServers.${name}: must be an object with "command" or "url"`);
    } else {
      const check = serverSchema.safeParse(entry);
      if (!check.success) reasons.push(...formatIssues(check.error.issues).map((line) => `mcpServers.${name}.${line}`));
      const similar = check.success && check.data.type === 'stdio' ? typosquatInArgv(check.data.command, check.data.args) : undefined;
      if (similar && !options.allowSimilarNames) reasons.push(`mcpServers.${name}: ${describeSimilarName(similar)}`);
    }
    if (entry && reasons.length === 0) accepted.push({ name, entry });
    else refused.push({ name, reasons });
  }
  return { accepted, refused };
}

function nameProblems(name: string, existing: ReadonlySet<string>): string[] {
  if (!SERVER_NAME.test(name) || name.includes('__')) {
    return [`mcpServers.${name}: the name must use letters, digits, "_" and "-" (no "__")`];
  }
  if (existing.has(name)) return [`mcpServers.${name}: a server with this name is already in the config`];
  return [];
}

/** Keeps the fields toolscope understands; client-specific extras (e.g. `alwaysAllow`) are dropped. */
function toToolscopeEntry(value: unknown): Record<string, unknown> | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const source = value as Record<string, unknown>;
  const entry: Record<string, unknown> = {};
  if ('url' in source) {
    entry.type = source.type === 'sse' ? 'sse' : 'http';
    entry.url = source.url;
    if (source.headers !== undefined) entry.headers = source.headers;
  } else if ('command' in source) {
    entry.command = source.command;
    if (source.args !== undefined) entry.args = source.args;
    if (source.env !== undefined) entry.env = source.env;
    if (source.cwd !== undefined) entry.cwd = source.cwd;
  } else {
    return undefined;
  }
  if (source.disabled === true) entry.enabled = false;
  return entry;
}
