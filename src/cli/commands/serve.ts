import type { Command } from 'commander';
import { collectDefaultMetrics } from 'prom-client';
import { configPaths } from '../../config/path-reference.js';
import { ConfigWatcher } from '../../config/watch.js';
import { createGateway, type Gateway } from '../../gateway.js';
import { serveHttp } from '../../server/http.js';
import { parseListenAddress } from '../../server/loopback.js';
import { RunRecorder } from '../../server/run-record.js';
import { openStdioSession } from '../../server/stdio.js';
import { refuseStdioClient } from '../../server/stdio-refusal.js';
import { clientAuthOf, connectHelp } from '../connect-help.js';
import { stdioPrincipal } from '../serve-principal.js';
import { commandLogger, loadCommandConfig } from '../options.js';
import { errorMessage } from '../../error-message.js';

/** `serve`: one MCP endpoint over stdio (default) or Streamable HTTP (`--http HOST:PORT`). */
export function register(program: Command): void {
  program
    .command('serve')
    .description('serve every configured server\'s tools as one MCP endpoint')
    .option('--http <host:port>', 'serve Streamable HTTP at http://HOST:PORT/mcp (loopback unless principals are configured; port 0 picks one)')
    .option('--as <principal>', 'on stdio, the principal this session acts as (required once principals are configured)')
    .action((options: { http?: string; as?: string }, cmd: Command) =>
      serve(options, cmd).catch(async (error: unknown) => {
        if (options.http === undefined) await refuseStdioClient(`toolscope: ${errorMessage(error)}`);
        throw error;
      }),
    );
}

async function serve(options: { http?: string; as?: string }, cmd: Command): Promise<void> {
  const loaded = await loadCommandConfig(cmd);
  const logger = commandLogger(cmd, process.env.TOOLSCOPE_LOG_LEVEL ?? loaded.config.logLevel);
  const gateway = createGateway(loaded, { logger, logLevelFixed: process.env.TOOLSCOPE_LOG_LEVEL !== undefined });
  // At once: logrotate's SIGHUP would otherwise end the process.
  process.on('SIGHUP', () => void reopenAuditLog(gateway));
  // This process's CPU, memory and event loop beside the gateway's own metrics: serve owns the process.
  collectDefaultMetrics({ register: gateway.metrics.registry });
  if (options.http !== undefined && options.as !== undefined) {
    throw new Error('--as is for stdio; HTTP clients authenticate with bearer tokens (`toolscope token create`)');
  }
  // Who may connect depends on the tokens, which may live in the shared state.
  await gateway.state.open();
  await clearOrphanedApprovals(gateway);
  const address =
    options.http === undefined ? undefined : parseListenAddress(options.http, await gateway.policy.principals.enforced());
  const principal = address ? undefined : await stdioPrincipal(gateway, options.as);
  // The address is claimed before any server is spawned (a port in use fails at once); requests wait for the start.
  let markStarted = () => {};
  const started = new Promise<void>((resolve) => (markStarted = resolve));
  const http = address && (await serveHttp(gateway, address, { ready: started }).catch(closing(() => gateway.state.close())));
  await gateway.start().catch(closing(() => Promise.all([http?.close(), gateway.stop()])));
  markStarted();
  const stateDir = configPaths(loaded).stateDir;
  // Edits of the config (by hand or by `toolscope add/remove/enable/disable`) apply without a restart.
  const watcher = new ConfigWatcher(loaded.path, {
    changed: (next) => gateway.applyConfig(next),
    refused: (error) => gateway.refuseConfig(error),
  });
  await watcher.start();

  if (http) {
    const recorder = new RunRecorder(stateDir, gateway, { transport: 'http', url: http.url });
    await recorder.start();
    console.log(connectHelp(http.url, loaded.path, await clientAuthOf(gateway)));
    await drain(gateway, await stopSignal());
    await http.close();
    await recorder.stop();
  } else {
    const recorder = new RunRecorder(stateDir, gateway, { transport: 'stdio' });
    await recorder.start();
    const session = await openStdioSession(gateway, principal);
    await drain(gateway, await Promise.race([session.closed.then(() => 'the client closed stdin'), stopSignal()]));
    await session.close(ANSWERS_OUT_MS);
    await recorder.stop();
  }
  watcher.close();
  await gateway.stop();
  logger.info('stopped');
  // Whatever still holds the event loop (a stdin reader, a keep-alive socket) must not keep us alive.
  process.exit(0);
}

/** How long the stdio session waits for the answers of the last calls to be written before it closes. */
const ANSWERS_OUT_MS = 2_000;

/** The first half of a graceful stop (see Gateway.drain); the transport then closes its sessions. */
async function drain(gateway: Gateway, why: string): Promise<void> {
  const calls = gateway.calls.size;
  gateway.logger.info({ reason: why, calls }, `stopping (${why}): ${calls} call${calls === 1 ? '' : 's'} in flight`);
  await gateway.drain();
}

/**
 * Removes the approval requests a serve left when it was killed mid-wait (on this host: its pid is gone): nothing
 * can run their calls, and the queue must not offer them to approvers. Logged, so the admin knows which calls died.
 */
async function clearOrphanedApprovals(gateway: Gateway): Promise<void> {
  try {
    for (const orphan of await gateway.state.approvals.clearOrphaned()) {
      gateway.logger.warn(
        { approval: orphan.id, principal: orphan.principal, tool: orphan.tool, requestedAt: orphan.requestedAt, waiterPid: orphan.waiter?.pid },
        `removed approval request ${orphan.id} (${orphan.tool} by ${orphan.principal ?? 'a client'}): the serve that asked (pid ${orphan.waiter?.pid ?? '?'}) is gone`,
      );
    }
  } catch (error) {
    gateway.logger.warn({ err: error }, 'could not clear orphaned approval requests');
  }
}

/** After the audit log was moved away (logrotate, `mv`), the next records go to a new file at its path. */
async function reopenAuditLog(gateway: Gateway): Promise<void> {
  const audit = gateway.policy.audit;
  if (!audit) {
    gateway.logger.info('SIGHUP: the audit log is off (audit.enabled), nothing to reopen');
    return;
  }
  try {
    await audit.reopen();
    gateway.logger.info({ path: audit.path }, 'audit log reopened');
  } catch (error) {
    gateway.logger.error({ err: error, path: audit.path }, 'cannot reopen the audit log; records still go to the file it had open');
  }
}

/** Rethrows a start-up error once `cleanup` is done, so the process can exit with it. */
function closing(cleanup: () => Promise<unknown>): (error: unknown) => Promise<never> {
  return async (error) => {
    await cleanup().catch(() => undefined);
    throw error;
  };
}

/** Resolves with the name of the first SIGINT/SIGTERM; a second one exits at once. */
function stopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.once('SIGINT', () => process.exit(130));
      process.once('SIGTERM', () => process.exit(143));
      resolve(signal);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
