import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { withStateOnly } from '../options.js';
import { formatTable } from '../table.js';

/** `approvals list|approve|deny`: answer calls that a running serve holds for a human. */
export function register(program: Command): void {
  const approvals = program.command('approvals').description('list and answer calls waiting for approval');

  approvals
    .command('list')
    .description('calls waiting for an answer')
    .option('--json', 'full requests, arguments included')
    .action(async (options: { json?: boolean }, cmd: Command) => {
      const pending = await withStateOnly(cmd, (state) => state.approvals.pending());
      if (options.json) {
        console.log(JSON.stringify(pending, null, 2));
        return;
      }
      if (pending.length === 0) {
        console.log('no calls are waiting for approval');
        return;
      }
      const rows = pending.map((r) => [r.id, r.principal ?? '-', r.tool, r.expiresAt, JSON.stringify(r.arguments)]);
      console.log(formatTable(['ID', 'PRINCIPAL', 'TOOL', 'EXPIRES', 'ARGUMENTS'], rows));
    });

  for (const [verb, approved] of [['approve', true], ['deny', false]] as const) {
    approvals
      .command(`${verb} <id>`)
      .description(`${verb} a waiting call`)
      .action(async (id: string, _options: unknown, cmd: Command) => {
        const result = await withStateOnly(cmd, (state) => state.approvals.decide(id, approved, `cli:${userInfo().username}`));
        if (result === 'unknown') throw new Error(`no waiting call with id ${id} (\`toolscope approvals list\`)`);
        if (result === 'expired') throw new Error(`call ${id} has timed out and was denied`);
        if (result === 'already-decided') throw new Error(`call ${id} was already answered`);
        console.log(`${approved ? 'approved' : 'denied'} ${id}`);
      });
  }
}
