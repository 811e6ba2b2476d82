import type { Command } from 'commander';
import { collectDefaultMetrics } from 'prom-client';
import { configPaths } from '../../config/path-reference.js';
import { ConfigWatcher } from '../../config/watch.js';
import { createGateway } from '../../gateway.js';
import { serveHttp } from '../../server/http.js';
import { parseListenAddress } from '../../server/loopback.js';
import { RunRecorder } from '../../server/run-record.js';
import { serveStdio } from '../../server/stdio.js';
import { refuseStdioClient } from '../../server/stdio-refusal.js';
import { clientAuthOf, connectHelp } from '../connect-help.js';
import { stdioPrincipal } from '../serve-principal.js';
import { commandLogger, loadCommandConfig } from '../options.js';

/** `serve`: one MCP endpoint over stdio (default) or Streamable HTTP (`--http HOST:PORT`). */
export function register(program: Command): void {
  program
    .command('serve')
    .description('serve every configured server\'s tools as one MCP endpoint')
    .option('--http <host:port>', 'serve Streamable HTTP at http://HOST:PORT/mcp (loopback unless principals are configured; port 0 picks one)')
    .option('--as <principal>', 'on stdio, the principal this session acts as (required once principals are configured)')
    .action((options: { http?: string; as?: string }, cmd: Command) =>
      serve(options, cmd).catch(async (error: unknown) => {
        if (options.http === undefined) await refuseStdioClient(`toolscope: ${error instanceof Error ? error.message : String(error)}`);
        throw error;
      }),
    );
}

async function serve(options: { http?: string; as?: string }, cmd: Command): Promise<void> {
  const loaded = await loadCommandConfig(cmd);
  const logger = commandLogger(cmd, process.env.TOOLSCOPE_LOG_LEVEL ?? loaded.config.logLevel);
  const gateway = createGateway(loaded, { logger, logLevelFixed: process.env.TOOLSCOPE_LOG_LEVEL !== undefined });
  // This process's CPU, memory and event loop beside the gateway's own metrics: serve owns the process.
  collectDefaultMetrics({ register: gateway.metrics.registry });
  if (options.http !== undefined && options.as !== undefined) {
    throw new Error('--as is for stdio; HTTP clients authenticate with bearer tokens (`toolscope token create`)');
  }
  // Who may connect depends on the tokens, which may live in the shared state.
  await gateway.state.open();
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
    await stopSignal();
    await http.close();
    await recorder.stop();
  } else {
    const recorder = new RunRecorder(stateDir, gateway, { transport: 'stdio' });
    await recorder.start();
    await Promise.race([serveStdio(gateway, principal), stopSignal()]);
    await recorder.stop();
  }
  watcher.close();
  await gateway.stop();
  // Whatever still holds the event loop (a stdin reader, a keep-alive socket) must not keep us alive.
  process.exit(0);
}

/** Rethrows a start-up error once `cleanup` is done, so the process can exit with it. */
function closing(cleanup: () => Promise<unknown>): (error: unknown) => Promise<never> {
  return async (error) => {
    await cleanup().catch(() => undefined);
    throw error;
  };
}

/** Resolves on the first SIGINT/SIGTERM; a second one exits at once. */
function stopSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.once('SIGINT', () => process.exit(130));
      process.once('SIGTERM', () => process.exit(143));
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
