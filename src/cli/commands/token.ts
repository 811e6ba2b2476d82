import type { Command } from 'commander';
import { issueToken, listTokens } from '../../policy/auth/token-grants.js';
import { withCommandState, withStateOnly } from '../options.js';
import { formatTable } from '../table.js';

/** `token create|list|revoke`: bearer tokens for HTTP clients; toolscope keeps only their sha-256 hashes. */
export function register(program: Command): void {
  const token = program.command('token').description('create, list and revoke bearer tokens for principals');

  token
    .command('create <principal>')
    .description('print a new token for PRINCIPAL (once: only its hash is kept)')
    .option('--scopes <rules...>', 'allow rules for a principal not in the config: classes (read, write, ...) or server:tool globs')
    .option('--deny <rules...>', 'deny rules, with --scopes')
    .action(async (principal: string, options: { scopes?: string[]; deny?: string[] }, cmd: Command) => {
      const created = await withCommandState(cmd, (state, loaded) =>
        issueToken(
          state.tokens,
          { principal, ...(options.scopes && { allow: options.scopes }), ...(options.deny && { deny: options.deny }) },
          { path: loaded.path, principals: loaded.config.principals, servers: loaded.config.servers },
          { allow: '--scopes', deny: '--deny' },
        ),
      );
      for (const warning of created.warnings) process.stderr.write(`toolscope: warning: ${warning}\n`);
      process.stderr.write(`token ${created.id} for ${principal}; copy it now, toolscope keeps only its hash:\n`);
      console.log(created.token);
    });

  token
    .command('list')
    .description('list tokens (ids and principals; the tokens themselves are not stored)')
    .action(async (_options: unknown, cmd: Command) => {
      const tokens = await withCommandState(cmd, (state, loaded) => listTokens(state.tokens, loaded.config.principals));
      console.log(formatTable(['ID', 'PRINCIPAL', 'CREATED', 'SCOPES'], tokens.map((t) => [t.id, t.principal, t.createdAt, t.scopes])));
    });

  token
    .command('revoke <id>')
    .description('revoke a token; a running serve refuses it from the next request')
    .action(async (id: string, _options: unknown, cmd: Command) => {
      if (!(await withStateOnly(cmd, (state) => state.tokens.revoke(id)))) throw new Error(`no token with id ${id}`);
      console.log(`revoked token ${id}`);
    });
}
