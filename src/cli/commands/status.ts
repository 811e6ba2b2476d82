import type { Command } from 'commander';
import { errorMessage } from '../../error-message.js';
import { ConfigError, loadConfigForState, type LoadedConfig } from '../../config/load.js';
import { configPaths } from '../../config/path-reference.js';
import { Bubblewrap, describeSandboxSupport } from '../../downstream/sandbox.js';
import type { ConfigReload } from '../../gateway.js';
import { createLogger } from '../../log.js';
import { readRunRecords, type RunRecord } from '../../server/run-record.js';
import type { RetrievalStatus } from '../../retrieval/catalog-search.js';
import type { ApprovalRequest } from '../../state/approval-queue.js';
import type { ReviewedQuarantineEntry } from '../../state/pin-store.js';
import { configPath, withLoadedState } from '../options.js';
import { formatTable } from '../table.js';
import { serverTable } from '../server-table.js';

/** `status`: what the running `toolscope serve` processes of this config report about their servers. */
export function register(program: Command): void {
  program
    .command('status')
    .description('show the state of a running `toolscope serve` (servers, restarts, last errors)')
    .option('--json', 'the raw status records and the calls waiting for approval (arguments left out)')
    .action(async (options: { json?: boolean }, cmd: Command) => {
      // An edit a running serve refused: it still runs, and says so, with the calls waiting for approval; the file's
      // problems follow (exit status 1).
      const { loaded, problems } = await loadConfigForState(configPath(cmd));
      const records = await readRunRecords(configPaths(loaded).stateDir);
      const { approvals, quarantine } = await readSharedState(loaded);
      if (options.json) {
        const status: StatusJson = { serves: records, approvals };
        console.log(JSON.stringify(status, null, 2));
      } else if (records.length === 0) {
        console.log(`no toolscope serve is running with ${loaded.path} (\`toolscope list\` connects to the servers briefly)`);
        const bubblewrap = new Bubblewrap(loaded.config.sandbox.bwrap, createLogger('silent'));
        if (!problems) console.log(`sandbox: ${describeSandboxSupport(await bubblewrap.check())}`);
      } else {
        console.log(records.map(describe).join('\n\n'));
        console.log(`\n${describeWaitingCalls(approvals)}`);
        const asked = describeClientAsks(records);
        if (asked) console.log(asked);
      }
      const orphans = options.json ? undefined : describeOrphanedCalls(approvals);
      if (orphans) console.log(orphans);
      if (!options.json) console.log(describeQuarantine(quarantine));
      if (problems) throw new ConfigError(loaded.path, problems);
    });
}

/** What `status --json` prints: the run records of the running serves, and the calls waiting for approval. */
export interface StatusJson {
  readonly serves: RunRecord[];
  readonly approvals: WaitingCalls;
}

/**
 * The calls waiting for approval, of every replica sharing the state, without their arguments (which only
 * `approvals list --json` shows, to whoever answers them); or why the queue could not be read.
 */
export type WaitingCalls =
  | {
      readonly waiting: Omit<ApprovalRequest, 'arguments'>[];
      /** Requests whose serve is gone (killed mid-wait): nothing will run them (see `ApprovalQueue.orphaned`). */
      readonly orphaned: Omit<ApprovalRequest, 'arguments'>[];
    }
  | Unreadable;

/** The tools held for review, or why they could not be read. */
type HeldTools = { readonly held: ReviewedQuarantineEntry[] } | Unreadable;

interface Unreadable {
  readonly error: string;
}

/** The approval queue and the quarantine, read through one opening of the state (one Redis connection, with Redis). */
async function readSharedState(loaded: LoadedConfig): Promise<{ approvals: WaitingCalls; quarantine: HeldTools }> {
  try {
    return await withLoadedState(loaded, async (state) => ({
      approvals: await readable(async () => ({
        waiting: (await state.approvals.pending()).map(({ arguments: _arguments, ...request }) => request),
        orphaned: (await state.approvals.orphaned()).map(({ arguments: _arguments, ...request }) => request),
      })),
      quarantine: await readable(async () => ({ held: await state.pins.reviewedQuarantine() })),
    }));
  } catch (error) {
    const unreadable = { error: errorMessage(error) };
    return { approvals: unreadable, quarantine: unreadable };
  }
}

async function readable<T>(read: () => Promise<T>): Promise<T | Unreadable> {
  return read().catch((error: unknown) => ({ error: errorMessage(error) }));
}

/** The calls waiting for approval (of every replica sharing the state), and how to answer them. */
function describeWaitingCalls(calls: WaitingCalls): string {
  if ('error' in calls) return `approvals: cannot read the queue (${calls.error})`;
  const pending = calls.waiting;
  if (pending.length === 0) return 'approvals: no calls are waiting';
  const rows = pending.map((request) => [request.id, request.principal ?? '-', request.tool, ...waitedAndLeft(request.requestedAt, request.expiresAt)]);
  return [
    `approvals: ${pending.length} call${pending.length === 1 ? '' : 's'} waiting (\`toolscope approvals approve|deny ID\`, or the console)`,
    formatTable(['ID', 'PRINCIPAL', 'TOOL', 'WAITING', 'LEFT'], rows),
  ].join('\n');
}

/** Requests left by a serve that is gone (killed while its calls waited): nothing will run them. */
function describeOrphanedCalls(calls: WaitingCalls): string | undefined {
  if ('error' in calls || calls.orphaned.length === 0) return undefined;
  const rows = calls.orphaned.map((request) => [request.id, String(request.waiter?.pid ?? '?'), request.principal ?? '-', request.tool, request.requestedAt]);
  return [
    `approvals orphaned: ${calls.orphaned.length} call${calls.orphaned.length === 1 ? '' : 's'} whose serve is gone; nothing will run ${calls.orphaned.length === 1 ? 'it' : 'them'} ` +
      '(`toolscope approvals deny ID` removes one, the next serve removes them all)',
    formatTable(['ID', 'GONE SERVE PID', 'PRINCIPAL', 'TOOL', 'ASKED'], rows),
  ].join('\n');
}

/** The calls whose approval the serves ask of the caller's own client (elicitation): only that person can answer them. */
function describeClientAsks(records: readonly RunRecord[]): string | undefined {
  const asks = records.flatMap((record) => (record.status.clientAsks ?? []).map((ask) => ({ pid: record.pid, ...ask })));
  if (asks.length === 0) return undefined;
  const rows = asks.map((ask) => [String(ask.pid), ask.principal, ask.tool, ...waitedAndLeft(ask.askedAt, ask.expiresAt)]);
  return [
    `approvals asked at the caller's client: ${asks.length} call${asks.length === 1 ? '' : 's'} waiting for the person at that client (elicitation; not in the queue)`,
    formatTable(['SERVE PID', 'PRINCIPAL', 'TOOL', 'WAITING', 'LEFT'], rows),
  ].join('\n');
}

/** How long a call has waited for a person, and how long it has left before it is denied. */
function waitedAndLeft(since: string, expiresAt: string, now = Date.now()): [string, string] {
  return [`${Math.round((now - Date.parse(since)) / 1000)} s`, `${Math.max(0, Math.round((Date.parse(expiresAt) - now) / 1000))} s`];
}

/** How many tools are held for review: a quarantined tool is neither listed nor callable, whatever its server's state. */
function describeQuarantine(quarantine: HeldTools): string {
  if ('error' in quarantine) return `quarantine: cannot read it (${quarantine.error})`;
  const { held } = quarantine;
  if (held.length === 0) return 'quarantine: no tool is held';
  const rejected = held.filter((entry) => entry.rejected).length;
  return (
    `quarantine: ${held.length} tool${held.length === 1 ? '' : 's'} held for review${rejected > 0 ? ` (${rejected} rejected)` : ''}: ` +
    held.map((entry) => entry.tool).sort().join(', ') + ' (`toolscope quarantine` shows why)'
  );
}

function describe(record: RunRecord): string {
  const where = record.url ?? 'stdio';
  const head =
    `toolscope serve (pid ${record.pid}) on ${where}, up since ${record.startedAt}: ` +
    `${record.status.tools} tools, exposure ${record.status.exposure}`;
  return [
    head,
    `sandbox: ${describeSandboxSupport(record.status.sandbox)}`,
    `retrieval: ${describeRetrieval(record.status.retrieval)}`,
    ...(record.status.state ? [`state: ${record.status.state.description}, replica ${record.status.state.replica}`] : []),
    ...(record.status.reload ? [describeReload(record.status.reload)] : []),
    ...(record.status.ruleWarnings ? [`rules that apply to nothing:\n  ${record.status.ruleWarnings.join('\n  ')}`] : []),
    serverTable(record.status.servers),
  ].join('\n');
}

function describeReload(reload: ConfigReload): string {
  const restart = reload.needsRestart.length > 0 ? `; needs restart: ${reload.needsRestart.join(', ')} changed` : '';
  if (reload.outcome === 'refused') {
    return `config: the edit at ${reload.at} was refused, still running the previous config${restart}\n  ${reload.error?.replace(/\n/g, '\n  ')}`;
  }
  const changes = (['applied', 'added', 'removed', 'restarted', 'disabled', 'enabled'] as const)
    .filter((kind) => (reload[kind]?.length ?? 0) > 0)
    .map((kind) => `${kind} ${reload[kind]!.join(', ')}`);
  return `config: reloaded at ${reload.at}${changes.length > 0 ? ` (${changes.join('; ')})` : ''}${restart}`;
}

function describeRetrieval(retrieval: RetrievalStatus | undefined): string {
  if (!retrieval || retrieval.state === 'starting') return 'starting (loading the embedder)';
  const embedder = retrieval.embedder ? `embedder ${retrieval.embedder} (${retrieval.dimensions}-d)` : 'no embedder (BM25 only)';
  const vectors = retrieval.vectorSearch && retrieval.vectorSearch !== 'none' ? `, ${retrieval.vectorSearch} vector search` : '';
  const indexing = retrieval.indexing ? ', embedding new tools' : '';
  const learning = retrieval.learnedChoices === undefined ? '' : `, learning from ${retrieval.learnedChoices} past choices`;
  return `${retrieval.retriever}, ${embedder}, ${retrieval.tools ?? 0} tools indexed${vectors}${indexing}${learning}`;
}
