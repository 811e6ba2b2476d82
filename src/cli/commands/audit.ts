import { InvalidArgumentError, type Command } from 'commander';
import { configPaths } from '../../config/path-reference.js';
import type { AuditRecord } from '../../policy/audit/audit-record.js';
import { auditFilterSchema, queryAudit, recordMatches, type AuditFilter } from '../../policy/audit/audit-query.js';
import { followLines, readLastLines } from '../../policy/audit/tail.js';
import { formatIssues } from '../../config/load.js';
import { describeCredential } from '../../policy/auth/principal.js';
import { policyPaths } from '../../policy/policy.js';
import { loadCommandConfigForState } from '../options.js';

/** `audit tail`: the last records of the audit log, optionally following new ones. */
export function register(program: Command): void {
  program
    .command('audit')
    .description('read the audit log')
    .command('tail')
    .description('show the last audit records')
    .option('-n, --lines <count>', 'how many records (0: none, with --follow only new ones)', wholeNumber, 20)
    .option('-f, --follow', 'keep printing records as they are written (Ctrl-C stops)')
    .option('--json', 'the raw JSON lines')
    .option('--principal <name>', 'only the records of this principal')
    .option('--credential <id>', "only those of this credential: a token's id, a config token's place, an OAuth subject or client id")
    .option('--tool <part>', 'only tools whose name holds this (any case)')
    .option('--server <name>', "only this server's tools")
    .option('--outcome <outcome>', 'only this outcome: ok, tool-error, cancelled, refused, error, or event')
    .option('--since <time>', 'only records from this time on (ISO 8601, e.g. 2026-12-05T10:00:00Z)')
    .option('--until <time>', 'only records up to this time')
    .action(async (options: TailOptions, cmd: Command) => {
      const loaded = await loadCommandConfigForState(cmd);
      const path = policyPaths(configPaths(loaded).stateDir, loaded.config).audit;
      const filter = filterOf(options);
      const print = (line: string) => console.log(options.json ? line : summarise(line));
      // Filtered, the last N that match are found as the console finds them, reading from the end of the log.
      const matching = filter && options.lines > 0 ? (await queryAudit(path, { ...filter, limit: options.lines })).records.reverse() : [];
      const { lines, end } = await readLastLines(path, filter ? 0 : options.lines).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') throw new Error(`no audit log yet at ${path}`);
        throw error;
      });
      (filter ? matching.map((record) => JSON.stringify(record)) : lines).forEach(print);
      if (!options.follow) return;
      const stop = new AbortController();
      process.once('SIGINT', () => stop.abort());
      process.once('SIGTERM', () => stop.abort());
      // On stderr, so `--json` output stays records only.
      const switched = (what: 'rotated' | 'truncated') =>
        console.error(what === 'rotated' ? `(${path} was rotated; following the new file)` : `(${path} was truncated; following it from its start)`);
      const printMatching = (line: string) => (!filter || lineMatches(line, filter) ? print(line) : undefined);
      await followLines(path, end, printMatching, stop.signal, undefined, switched);
    });
}

interface TailOptions {
  readonly lines: number;
  readonly follow?: boolean;
  readonly json?: boolean;
  readonly principal?: string;
  readonly credential?: string;
  readonly tool?: string;
  readonly server?: string;
  readonly outcome?: string;
  readonly since?: string;
  readonly until?: string;
}

/** The filter the options ask for, checked as the console checks its query; undefined when none is given. */
function filterOf(options: TailOptions): AuditFilter | undefined {
  const { principal, credential, tool, server, outcome, since, until } = options;
  const given = Object.fromEntries(Object.entries({ principal, credential, tool, server, outcome, since, until }).filter(([, value]) => value !== undefined));
  if (Object.keys(given).length === 0) return undefined;
  const parsed = auditFilterSchema.safeParse(given);
  if (!parsed.success) throw new Error(formatIssues(parsed.error.issues).map((issue) => `--${issue}`).join('; '));
  return parsed.data;
}

function lineMatches(line: string, filter: AuditFilter): boolean {
  try {
    return recordMatches(JSON.parse(line) as Record<string, unknown>, filter);
  } catch {
    return false;
  }
}

/** One readable line per record: time, principal [credential], tool, outcome, latency, and why when refused. */
function summarise(line: string): string {
  let entry: Partial<AuditRecord> & { event?: string };
  try {
    entry = JSON.parse(line) as typeof entry;
  } catch {
    return `(unreadable line) ${line}`;
  }
  if (entry.event) return `${entry.time}  ${entry.event}  ${JSON.stringify({ ...entry, time: undefined, event: undefined })}`;
  const why = entry.refusal ? `  ${entry.refusal.stage}: ${entry.refusal.reason}${entry.refusal.rule ? ` (${entry.refusal.rule})` : ''}` : '';
  const error = entry.error ? `  ${entry.error}` : '';
  // Who cancelled a call held by a stage (e.g. waiting for approval).
  const held = entry.outcome === 'cancelled' ? entry.decisions?.find((decision) => decision.outcome === 'cancelled') : undefined;
  const cancelled = held ? `  ${held.stage}: ${held.reason ?? 'cancelled'}` : '';
  const who = entry.credential ? `${entry.principal ?? '-'} [${describeCredential(entry.credential)}]` : (entry.principal ?? '-');
  return `${entry.time}  ${who}  ${entry.tool}  ${entry.outcome}  ${entry.latencyMs}ms${why}${error}${cancelled}`;
}

function wholeNumber(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new InvalidArgumentError('expected a whole number, 0 or more.');
  return parsed;
}
