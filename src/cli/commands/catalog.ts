import type { Command } from 'commander';
import type { CatalogTool } from '../../catalog/tool.js';
import type { ServerStatus } from '../../downstream/supervisor.js';
import { visibleForReview } from '../../policy/pinning/tool-definition.js';
import { classifyTool } from '../../policy/scopes/capability.js';
import { withConnectedServers, type QuarantineMark } from '../connected.js';
import { loadCommandConfig } from '../options.js';
import { serverTable } from '../server-table.js';
import { formatTable } from '../table.js';

/**
 * `list` and `tools`: connect to the configured servers briefly and report what they offer. Both only look: the state
 * a running serve shares is read (`tools` marks the tools its pinning holds back), never written.
 */
export function register(program: Command): void {
  program
    .command('list')
    .description('list the configured servers with their state and tool counts (connects to each briefly)')
    .action(async (_options: unknown, cmd: Command) => {
      const loaded = await loadCommandConfig(cmd);
      const servers = await withConnectedServers(loaded, (connected) => connected.downstream.status());
      // `list` stops every server as it exits: the retry a server's backoff scheduled will never happen.
      console.log(serverTable(servers.map(({ retryAt: _retryAt, ...server }) => server)));
      // Scripts and health checks read the exit code: an enabled server that did not connect fails the command.
      const failed = unavailable(servers).map((server) => server.name);
      if (failed.length > 0) {
        process.stderr.write(`toolscope: ${failed.length} server(s) did not connect: ${failed.join(', ')}\n`);
        process.exitCode = 1;
      }
    });

  program
    .command('tools')
    .description('show the aggregated tool catalog (connects to each server briefly)')
    .option('--server <name>', 'only the tools of this server')
    .option('--json', 'full entries (schemas, annotations, hashes) as JSON')
    .action(async (options: { server?: string; json?: boolean }, cmd: Command) => {
      const loaded = await loadCommandConfig(cmd);
      if (options.server !== undefined && !(options.server in loaded.config.servers)) {
        throw new Error(`no server named "${options.server}" in ${loaded.path}`);
      }
      const output = await withConnectedServers(loaded, (connected) => {
        const tools = options.server === undefined ? connected.catalog.all() : connected.catalog.forServer(options.server);
        tools.sort((a, b) => a.exposedName.localeCompare(b.exposedName));
        const marked = tools.map((tool) => ({ tool, mark: connected.quarantine(tool.exposedName), capability: classifyTool(tool, loaded.config.capabilities) }));
        if (options.json) {
          const entries = marked.map(({ tool, mark, capability }) => ({
            ...tool,
            capability: { classes: [...capability.classes], source: capability.source },
            ...(mark && { quarantine: mark }),
          }));
          return JSON.stringify(entries, null, 2);
        }
        const notes = unavailable(connected.downstream.status())
          .filter((server) => options.server === undefined || server.name === options.server)
          .map((server) => `note: server "${server.name}" is ${server.state}: ${server.lastError ?? ''}`);
        // The classes scopes and approval rules see: an admin granting `read` sees here what that lets through.
        const table = formatTable(
          ['TOOL', 'CLASSES', 'DESCRIPTION'],
          marked.map(({ tool, mark, capability }) => [
            mark ? `${tool.exposedName} (${markLabel(mark)})` : tool.exposedName,
            [...capability.classes].join(','),
            summary(tool.description),
          ]),
        );
        const quarantineNotes = marked.flatMap(({ tool, mark }) => (mark ? [quarantineNote(tool, mark)] : []));
        return [table, ...quarantineNotes, ...notes].join('\n');
      });
      console.log(output);
    });
}

/** Enabled servers that did not end up ready: failed, retrying, or still starting when the wait ran out. */
function unavailable(servers: readonly ServerStatus[]): ServerStatus[] {
  return servers.filter((server) => server.state !== 'ready' && server.state !== 'disabled');
}

function markLabel(mark: QuarantineMark): string {
  return mark.inState ? 'quarantined' : 'will be quarantined';
}

/** What the serve does with a marked tool, and why: the state is not changed to say so. */
function quarantineNote(tool: CatalogTool, mark: QuarantineMark): string {
  const name = tool.exposedName;
  if (mark.serve === 'releases') return `note: ${name} is quarantined, but its server offers the pinned definition again: the serve will release it`;
  if (mark.inState) return `note: ${name} is quarantined (${mark.kind}): the serve neither lists nor calls it; \`toolscope quarantine\` shows why`;
  const will = 'the serve will quarantine it once its server offers this definition';
  if (mark.kind === 'changed') return `note: ${name} differs from its pin: ${will}`;
  if (mark.kind === 'new-tool') return `note: ${name} is new on a server already pinned (pinning: strict): ${will}`;
  // Escaped: a look-alike letter or an invisible character in a finding is visible as such.
  return `note: ${name} looks ${mark.kind} (${mark.reasons.map(visibleForReview).join('; ')}): ${will}`;
}

const SUMMARY_LENGTH = 100;

/** The first line of a description, cut to fit a terminal row. */
function summary(description: string): string {
  const line = description.split('\n')[0] ?? '';
  return line.length > SUMMARY_LENGTH ? `${line.slice(0, SUMMARY_LENGTH - 1)}…` : line;
}
