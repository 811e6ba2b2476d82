import type { ServerStatus } from '../downstream/supervisor.js';
import { formatTable } from './table.js';

/** The servers table `list` and `status` print. */
export function serverTable(servers: readonly ServerStatus[]): string {
  if (servers.length === 0) return 'no servers configured (add one with `toolscope add NAME -- COMMAND [ARGS...]`)';
  return formatTable(
    ['SERVER', 'STATE', 'TRANSPORT', 'TOOLS', 'RESTARTS', 'DETAIL'],
    servers.map((server) => [
      server.name,
      server.state,
      server.transport,
      String(server.tools),
      String(server.restarts),
      detail(server),
    ]),
  );
}

function detail(server: ServerStatus): string {
  const parts: string[] = [];
  if (server.startup === 'lazy') parts.push('lazy');
  if (server.pid !== undefined) parts.push(`pid ${server.pid}`);
  if (server.sandboxed !== undefined) parts.push(server.sandboxed ? 'sandboxed' : 'not sandboxed');
  if (server.retryAt) parts.push(`retry at ${server.retryAt}`);
  if (server.lastError && server.state !== 'ready') parts.push(`last error: ${oneLine(server.lastError)}`);
  return parts.join('; ');
}

/** Errors this long are mostly a body the server sent (an HTML page); the rest is counted, not shown. */
const MAX_ERROR_CHARS = 200;

/** An error as one table cell: its lines joined, cut short past MAX_ERROR_CHARS. */
function oneLine(error: string): string {
  const joined = error.replace(/\s*\n\s*/g, ' ').trim();
  return joined.length <= MAX_ERROR_CHARS ? joined : `${joined.slice(0, MAX_ERROR_CHARS)}… (${joined.length - MAX_ERROR_CHARS} more characters)`;
}
