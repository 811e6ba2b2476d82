import { mkdir } from 'node:fs/promises';
import { Catalog } from '../catalog/catalog.js';
import type { LoadedConfig } from '../config/load.js';
import { configPaths } from '../config/path-reference.js';
import { DownstreamManager } from '../downstream/manager.js';
import { Bubblewrap } from '../downstream/sandbox.js';
import { createLogger } from '../log.js';
import { ToolPinning } from '../policy/pinning/tool-pinning.js';
import type { QuarantineEntry } from '../state/pin-store.js';
import { ReadOnlyPinStore } from '../state/read-only-pin-store.js';
import { createStateBackend } from '../state/state-backend.js';

const SETTLE_MARGIN_MS = 1_000;

/** A tool the pinning holds back, now or as soon as a serve sees the definition fetched now. */
export interface QuarantineMark {
  /** Quarantined in the state now: a running serve neither lists nor calls it. */
  readonly inState: boolean;
  /** What a serve decides on the definition fetched now: keep (or put) it in quarantine, or release it. */
  readonly serve: 'quarantines' | 'releases';
  readonly kind: QuarantineEntry['kind'];
  readonly reasons: readonly string[];
}

/** The configured servers, connected, with what a serve's pinning would decide on the tools they offer now. */
export interface ConnectedServers {
  readonly catalog: Catalog;
  readonly downstream: DownstreamManager;
  /** Undefined: the tool is not held back (a serve lists it). */
  quarantine(tool: string): QuarantineMark | undefined;
}

/**
 * Connects every enabled server (lazy ones too) for a one-off look (`list`, `tools`), waits until each is up or has
 * failed, runs `use`, and shuts everything down. Logs stay quiet unless TOOLSCOPE_LOG_LEVEL asks.
 *
 * Read-only: no gateway is started, so nothing is pinned, quarantined, audited, embedded or searched. The state is
 * only read: the pinning decides on each tool as a serve would, in memory, over a store that drops its writes; a
 * running serve sharing the state keeps its own pins and quarantine.
 */
export async function withConnectedServers<T>(loaded: LoadedConfig, use: (servers: ConnectedServers) => T): Promise<T> {
  const logger = createLogger(process.env.TOOLSCOPE_LOG_LEVEL ?? 'silent');
  const paths = configPaths(loaded);
  // Servers may be given paths in it (`${stateDir}`): it exists for them as under a serve. Nothing is written in it.
  await mkdir(paths.stateDir, { recursive: true });
  const catalog = new Catalog();
  const downstream = new DownstreamManager(loaded.config.servers, {
    catalog,
    paths,
    logger,
    bubblewrap: new Bubblewrap(loaded.config.sandbox.bwrap, logger),
    limits: loaded.config.limits,
  });
  const state = createStateBackend(loaded.config.state, paths.stateDir, logger);
  await state.open();
  try {
    const stored = new Map((await state.pins.quarantined()).map((entry) => [entry.tool, entry]));
    // Silent: its "tool quarantined" lines would tell of quarantines that are never made.
    const pinning = new ToolPinning(new ReadOnlyPinStore(state.pins), loaded.config.pinning, createLogger('silent'));
    await pinning.load();
    pinning.attach(catalog);
    downstream.startLazy();
    const slowest = Math.max(0, ...Object.values(loaded.config.servers).map((server) => server.timeoutMs));
    await downstream.settled(slowest + SETTLE_MARGIN_MS);
    return use({ catalog, downstream, quarantine: (tool) => quarantineMark(pinning.quarantined(tool), stored.get(tool)) });
  } finally {
    await downstream.stop();
    await state.close();
  }
}

function quarantineMark(decided: QuarantineEntry | undefined, stored: QuarantineEntry | undefined): QuarantineMark | undefined {
  if (decided) return { inState: stored !== undefined, serve: 'quarantines', kind: decided.kind, reasons: decided.reasons };
  // Its server offers the approved definition again.
  if (stored) return { inState: true, serve: 'releases', kind: stored.kind, reasons: stored.reasons };
  return undefined;
}
