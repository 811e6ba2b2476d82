import type { Command } from 'commander';
import { configPaths } from '../../config/path-reference.js';
import { scopeRuleSchema } from '../../config/policy.js';
import { TokenStore } from '../../policy/auth/token-store.js';
import { loadCommandConfig } from '../options.js';
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
      const loaded = await loadCommandConfig(cmd);
      const inConfig = principal in loaded.config.principals;
      if (inConfig && (options.scopes || options.deny)) {
        throw new Error(`${principal}'s scopes are set in ${loaded.path} (principals.${principal}); leave out --scopes/--deny`);
      }
      if (!inConfig && !options.scopes) {
        throw new Error(`"${principal}" is not a principal in ${loaded.path}; give its scopes with --scopes (e.g. --scopes read)`);
      }
      if (!/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(principal)) throw new Error('principal names use letters, digits, "_" and "-"');
      const scopes = options.scopes && { allow: checkRules(options.scopes, '--scopes'), deny: checkRules(options.deny ?? [], '--deny') };
      const store = new TokenStore(configPaths(loaded).stateDir);
      const created = await store.create(principal, scopes);
      process.stderr.write(`token ${created.id} for ${principal}; copy it now, toolscope keeps only its hash:\n`);
      console.log(created.token);
    });

  token
    .command('list')
    .description('list tokens (ids and principals; the tokens themselves are not stored)')
    .action(async (_options: unknown, cmd: Command) => {
      const loaded = await loadCommandConfig(cmd);
      const store = new TokenStore(configPaths(loaded).stateDir);
      await store.refresh();
      const { tokens, principals } = store.current;
      const scopesOf = (name: string) => {
        const own = principals[name];
        if (own) return [...own.allow, ...own.deny.map((rule) => `!${rule}`)].join(' ');
        return name in loaded.config.principals ? `(config principals.${name})` : '(principal no longer exists)';
      };
      console.log(formatTable(['ID', 'PRINCIPAL', 'CREATED', 'SCOPES'], tokens.map((t) => [t.id, t.principal, t.createdAt, scopesOf(t.principal)])));
    });

  token
    .command('revoke <id>')
    .description('revoke a token; a running serve refuses it from the next request')
    .action(async (id: string, _options: unknown, cmd: Command) => {
      const loaded = await loadCommandConfig(cmd);
      if (!(await new TokenStore(configPaths(loaded).stateDir).revoke(id))) throw new Error(`no token with id ${id}`);
      console.log(`revoked token ${id}`);
    });
}

function checkRules(rules: string[], option: string): string[] {
  for (const rule of rules) {
    if (!scopeRuleSchema.safeParse(rule).success) {
      throw new Error(`${option} ${rule}: must be a capability class (read, write, destructive, open-world) or a server:tool glob`);
    }
  }
  return rules;
}
