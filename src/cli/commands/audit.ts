import { InvalidArgumentError, type Command } from 'commander';
import { configPaths } from '../../config/path-reference.js';
import type { AuditRecord } from '../../policy/audit/audit-record.js';
import { followLines, readLastLines } from '../../policy/audit/tail.js';
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
    .action(async (options: { lines: number; follow?: boolean; json?: boolean }, cmd: Command) => {
      const loaded = await loadCommandConfigForState(cmd);
      const path = policyPaths(configPaths(loaded).stateDir, loaded.config).audit;
      const print = (line: string) => console.log(options.json ? line : summarise(line));
      const { lines, end } = await readLastLines(path, options.lines).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') throw new Error(`no audit log yet at ${path}`);
        throw error;
      });
      lines.forEach(print);
      if (!options.follow) return;
      const stop = new AbortController();
      process.once('SIGINT', () => stop.abort());
      process.once('SIGTERM', () => stop.abort());
      // On stderr, so `--json` output stays records only.
      const switched = (what: 'rotated' | 'truncated') =>
        console.error(what === 'rotated' ? `(${path} was rotated; following the new file)` : `(${path} was truncated; following it from its start)`);
      await followLines(path, end, print, stop.signal, undefined, switched);
    });
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
