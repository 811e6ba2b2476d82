import { createGateway, type Gateway } from '../gateway.js';
import type { LoadedConfig } from '../config/load.js';
import { createLogger } from '../log.js';

const SETTLE_MARGIN_MS = 1_000;

/**
 * Connects every enabled server (lazy ones too) for a one-off command, waits until each is up or has
 * failed, runs `use`, and shuts everything down. Logs stay quiet unless TOOLSCOPE_LOG_LEVEL asks.
 */
export async function withConnectedGateway<T>(loaded: LoadedConfig, use: (gateway: Gateway) => T): Promise<T> {
  const gateway = createGateway(loaded, { logger: createLogger(process.env.TOOLSCOPE_LOG_LEVEL ?? 'silent') });
  try {
    await gateway.start();
    gateway.downstream.startLazy();
    const slowest = Math.max(0, ...Object.values(loaded.config.servers).map((server) => server.timeoutMs));
    await gateway.downstream.settled(slowest + SETTLE_MARGIN_MS);
    return use(gateway);
  } finally {
    await gateway.stop();
  }
}
