import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { visibleForReview } from '../../policy/pinning/tool-definition.js';
import { loadCommandConfigForState, withLoadedState, withStateOnly } from '../options.js';

/** `quarantine`, `approve-tool` and `reject-tool`: tools held back because they changed or look poisoned, and deciding on them. */
export function register(program: Command): void {
  program
    .command('quarantine')
    .description('list quarantined tools with the reason and, for changed tools, a diff against the pinned definition')
    .option('--json', 'full entries as JSON')
    .action(async (options: { json?: boolean }, cmd: Command) => {
      const loaded = await loadCommandConfigForState(cmd);
      const entries = await withLoadedState(loaded, (state) => state.pins.reviewedQuarantine());
      entries.sort((a, b) => a.tool.localeCompare(b.tool));
      if (options.json) {
        console.log(JSON.stringify(entries, null, 2));
        return;
      }
      if (entries.length === 0) {
        console.log('no tool is quarantined');
        return;
      }
      const blocks = entries.map((entry) =>
        [
          `${entry.tool} (${entry.kind}, since ${entry.since})`,
          // Escaped: a look-alike letter or an invisible character in a changed description is visible as such.
          ...entry.reasons.map((reason) => `  - ${visibleForReview(reason)}`),
          ...(entry.diff ? [visibleForReview(entry.diff.trimEnd())] : []),
          // Kept, not dropped: should the server come back with the same definition, it is still held.
          !(entry.server in loaded.config.servers)
            ? `  its server "${entry.server}" is no longer in the config; held in case it comes back (release with: toolscope approve-tool ${entry.tool})`
            : entry.rejected
            ? `  rejected by ${entry.rejected.by} at ${entry.rejected.at}; release anyway with: toolscope approve-tool ${entry.tool}`
            : `  release with: toolscope approve-tool ${entry.tool}`,
        ].join('\n'),
      );
      console.log(blocks.join('\n\n'));
    });

  program
    .command('approve-tool <name>')
    .description('pin the current definition of a quarantined tool and release it (a running serve picks it up)')
    .action(async (name: string, _options: unknown, cmd: Command) => {
      const entry = await withStateOnly(cmd, (state) => state.pins.approve(name, `cli:${userInfo().username}`));
      if (!entry) throw new Error(`"${name}" is not quarantined (\`toolscope quarantine\` lists the tools that are)`);
      console.log(`released ${name} (${entry.kind}); its current definition is now pinned`);
    });

  program
    .command('reject-tool <name>')
    .description('record that you refuse the quarantined definition of a tool; it stays quarantined')
    .action(async (name: string, _options: unknown, cmd: Command) => {
      const entry = await withStateOnly(cmd, (state) => state.pins.reject(name, `cli:${userInfo().username}`));
      if (!entry) throw new Error(`"${name}" is not quarantined (\`toolscope quarantine\` lists the tools that are)`);
      const until = entry.kind === 'changed' ? 'its server goes back to the pinned definition, or ' : '';
      console.log(`rejected ${name} (${entry.kind}); it stays quarantined until ${until}an admin approves a definition of it`);
    });
}
