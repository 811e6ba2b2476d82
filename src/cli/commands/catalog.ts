import type { Command } from 'commander';
import type { ServerStatus } from '../../downstream/supervisor.js';
import { withConnectedGateway } from '../connected.js';
import { loadCommandConfig } from '../options.js';
import { serverTable } from '../server-table.js';
import { formatTable } from '../table.js';

/** `list` and `tools`: connect to the configured servers briefly and report what they offer. */
export function register(program: Command): void {
  program
    .command('list')
    .description('list the configured servers with their state and tool counts (connects to each briefly)')
    .action(async (_options: unknown, cmd: Command) => {
      const loaded = await loadCommandConfig(cmd);
      const servers = await withConnectedGateway(loaded, (gateway) => gateway.downstream.status());
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
      const output = await withConnectedGateway(loaded, (gateway) => {
        const tools = options.server === undefined ? gateway.catalog.all() : gateway.catalog.forServer(options.server);
        tools.sort((a, b) => a.exposedName.localeCompare(b.exposedName));
        if (options.json) return JSON.stringify(tools, null, 2);
        const notes = unavailable(gateway.downstream.status())
          .filter((server) => options.server === undefined || server.name === options.server)
          .map((server) => `note: server "${server.name}" is ${server.state}: ${server.lastError ?? ''}`);
        const table = formatTable(
          ['TOOL', 'DESCRIPTION'],
          tools.map((tool) => [tool.exposedName, summary(tool.description)]),
        );
        return [table, ...notes].join('\n');
      });
      console.log(output);
    });
}

/** Enabled servers that did not end up ready: failed, retrying, or still starting when the wait ran out. */
function unavailable(servers: readonly ServerStatus[]): ServerStatus[] {
  return servers.filter((server) => server.state !== 'ready' && server.state !== 'disabled');
}

const SUMMARY_LENGTH = 100;

/** The first line of a description, cut to fit a terminal row. */
function summary(description: string): string {
  const line = description.split('\n')[0] ?? '';
  return line.length > SUMMARY_LENGTH ? `${line.slice(0, SUMMARY_LENGTH - 1)}…` : line;
}
