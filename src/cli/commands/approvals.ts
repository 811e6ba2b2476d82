import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { orphanedAnswer } from '../../state/approval-queue.js';
import { withStateOnly } from '../options.js';
import { formatTable } from '../table.js';

/** `approvals list|approve|deny`: answer calls that a running serve holds for a human. */
export function register(program: Command): void {
  const approvals = program.command('approvals').description('list and answer calls waiting for approval');

  approvals
    .command('list')
    .description('calls waiting for an answer, and orphaned ones (their serve is gone)')
    .option('--json', 'full requests, arguments included; orphaned ones with "orphaned": true')
    .action(async (options: { json?: boolean }, cmd: Command) => {
      const { pending, orphaned } = await withStateOnly(cmd, async (state) => ({ pending: await state.approvals.pending(), orphaned: await state.approvals.orphaned() }));
      if (options.json) {
        console.log(JSON.stringify([...pending, ...orphaned.map((request) => ({ ...request, orphaned: true }))], null, 2));
        return;
      }
      if (pending.length === 0) console.log('no calls are waiting for approval');
      const rows = [
        ...pending.map((r) => [r.id, 'waiting', r.principal ?? '-', r.tool, r.expiresAt, JSON.stringify(r.arguments)]),
        ...orphaned.map((r) => [r.id, `orphaned: serve pid ${r.waiter?.pid ?? '?'} is gone`, r.principal ?? '-', r.tool, r.expiresAt, JSON.stringify(r.arguments)]),
      ];
      if (rows.length > 0) console.log(formatTable(['ID', 'STATE', 'PRINCIPAL', 'TOOL', 'EXPIRES', 'ARGUMENTS'], rows));
      if (orphaned.length > 0) {
        console.log(`${orphaned.length} orphaned: nothing will run ${orphaned.length === 1 ? 'it' : 'them'}; \`toolscope approvals deny ID\` removes one, the next serve removes them all`);
      }
    });

  for (const [verb, approved] of [['approve', true], ['deny', false]] as const) {
    approvals
      .command(`${verb} <id>`)
      .description(`${verb} a waiting call`)
      .action(async (id: string, _options: unknown, cmd: Command) => {
        const { result, request } = await withStateOnly(cmd, async (state) => {
          // Read first: for an orphaned call, the pid of the serve that asked (its request is removed by `decide`).
          const asked = await state.approvals.request(id);
          return { request: asked, result: await state.approvals.decide(id, approved, `cli:${userInfo().username}`) };
        });
        if (result === 'unknown') throw new Error(`no waiting call with id ${id} (\`toolscope approvals list\`)`);
        if (result === 'orphaned') throw new Error(orphanedAnswer(id, request));
        if (result === 'expired') throw new Error(`call ${id} has timed out and was denied`);
        if (result === 'already-decided') throw new Error(`call ${id} was already answered`);
        console.log(`${approved ? 'approved' : 'denied'} ${id}`);
      });
  }
}
