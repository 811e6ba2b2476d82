import { isDeepStrictEqual } from 'node:util';
import type { ToolscopeConfig } from './schema.js';

type Section = keyof ToolscopeConfig;

/** How a section takes an edit while serving: at once, at the next start, or by key (the keys named apply at once). */
type Liveness<S extends Section> = 'live' | 'restart' | readonly (keyof ToolscopeConfig[S] & string)[];

/**
 * Which parts of `toolscope.json` apply while `toolscope serve` runs. What waits for a restart holds what the running
 * process is built on: where state lives (open files, a Redis connection), the HTTP routes and verifier of `auth`, the
 * metrics route and the OpenTelemetry exporter, the audit file being written, the downstream processes' sandbox and
 * size limits, pinning, the embedder and index of tool search.
 */
export const LIVENESS: { readonly [S in Section]: Liveness<S> } = {
  stateDir: 'restart',
  logLevel: 'live',
  servers: 'live',
  exposure: 'live',
  // The ranking settings apply at the next search; the embedder, the retriever (which may need an embedder loaded)
  // and learning from use (its history file) are set up at start.
  retrieval: ['decompose', 'rerank', 'hijackCheck'],
  // What HTTP clients may hold and send, and list pages from the next session; what a downstream server may send is
  // set when it starts, and a session's replay buffer when it opens.
  limits: ['maxRequestBytes', 'maxSessions', 'maxSessionsPerPrincipal', 'sessionIdleMs', 'listPageSize'],
  sandbox: 'restart',
  state: 'restart',
  metrics: 'restart',
  tracing: 'restart',
  principals: 'live',
  capabilities: 'live',
  argumentRules: 'live',
  approval: 'live',
  rateLimits: 'live',
  pinning: 'restart',
  audit: ['redactPatterns'],
  auth: 'restart',
};

/** What an edit of the config does while serving. */
export interface ConfigEdit {
  /** The config in effect after it: the live parts of the edit, the rest as started. */
  readonly config: ToolscopeConfig;
  /** Sections (or `section.key` of a section that applies by key) the edit changed and that apply now. */
  readonly applied: string[];
  /** Sections (or `section.key`) that differ from the config as started and wait for a restart. */
  readonly needsRestart: string[];
}

/**
 * Splits `next` into what applies now and what waits: `initial` is the config `serve` started with (what waits is
 * compared with it, so an edit undone is no longer reported), `running` the config in effect now.
 */
export function splitEdit(initial: ToolscopeConfig, running: ToolscopeConfig, next: ToolscopeConfig): ConfigEdit {
  const config: Record<string, unknown> = {};
  const applied: string[] = [];
  const needsRestart: string[] = [];
  for (const section of Object.keys(LIVENESS) as Section[]) {
    const liveness = LIVENESS[section] as 'live' | 'restart' | readonly string[];
    const changed = (from: ToolscopeConfig, key?: string) => !isDeepStrictEqual(part(next, section, key), part(from, section, key));
    if (liveness === 'live') {
      config[section] = next[section];
      if (changed(running)) applied.push(section);
    } else if (liveness === 'restart') {
      config[section] = initial[section];
      if (changed(initial)) needsRestart.push(section);
    } else {
      const merged: Record<string, unknown> = { ...(initial[section] as object) };
      for (const key of new Set([...Object.keys(merged), ...Object.keys(next[section] as object)])) {
        const live = liveness.includes(key);
        if (live) merged[key] = part(next, section, key);
        if (live && changed(running, key)) applied.push(`${section}.${key}`);
        if (!live && changed(initial, key)) needsRestart.push(`${section}.${key}`);
      }
      config[section] = merged;
    }
  }
  return { config: config as ToolscopeConfig, applied, needsRestart };
}

function part(config: ToolscopeConfig, section: Section, key: string | undefined): unknown {
  const value = config[section];
  return key === undefined ? value : (value as Record<string, unknown>)[key];
}
