import { EventEmitter } from 'node:events';
import type { PinningConfig } from '../../config/policy.js';
import type { Catalog, CatalogChange } from '../../catalog/catalog.js';
import type { CatalogTool } from '../../catalog/tool.js';
import type { Logger } from '../../log.js';
import type { Pin, PinStore, QuarantineEntry } from './pin-store.js';
import { describeFinding, scanTool, shadowableNames, type PoisoningFinding } from './poisoning-scan.js';
import { definitionDiff, definitionOf } from './tool-definition.js';

export interface PinningEvents {
  /** A tool entered or left quarantine: listings and search results change. */
  change: [{ quarantined: string[]; released: string[] }];
}

/**
 * Pins each tool's definition on first sight and quarantines a tool whose definition later changes (rug pull),
 * whose description looks poisoned, or (strict) which is new on an already known server. A quarantined tool is
 * neither listed, searchable nor callable until `toolscope approve-tool NAME` pins what it says now.
 *
 * Decisions are taken synchronously inside the catalog's change event, so no call can slip in between a change and
 * its quarantine; the files are written afterwards, in order.
 */
export class ToolPinning extends EventEmitter<PinningEvents> {
  private readonly pins = new Map<string, Pin>();
  private readonly quarantine = new Map<string, QuarantineEntry>();
  private writes: Promise<void> = Promise.resolve();
  private catalog: Catalog | undefined;
  private watcher: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: PinStore,
    private readonly config: PinningConfig,
    private readonly logger: Logger,
  ) {
    super();
    // One listener per client session.
    this.setMaxListeners(0);
  }

  /** Reads the pins and quarantine entries kept in the state folder; call before `attach`. */
  async load(): Promise<void> {
    for (const pin of await this.store.pins()) this.pins.set(pin.tool, pin);
    for (const entry of await this.store.quarantined()) this.quarantine.set(entry.tool, entry);
  }

  /** Checks what the catalog holds now, then every change to it. */
  attach(catalog: Catalog): void {
    this.catalog = catalog;
    const byServer = new Map<string, CatalogTool[]>();
    for (const tool of catalog.all()) byServer.set(tool.server, [...(byServer.get(tool.server) ?? []), tool]);
    for (const [server, tools] of byServer) this.onChange({ server, added: tools, removed: [], changed: [] });
    catalog.on('change', (change) => this.onChange(change));
  }

  quarantined(tool: string): QuarantineEntry | undefined {
    return this.quarantine.get(tool);
  }

  allQuarantined(): QuarantineEntry[] {
    return [...this.quarantine.values()];
  }

  /** Resolves when every pin and quarantine file decided so far is on disk. */
  settled(): Promise<void> {
    return this.writes;
  }

  /** Picks up `approve-tool` run by another process: polls the quarantine folder. */
  watch(intervalMs = 1000): void {
    this.watcher ??= setInterval(() => {
      this.reload().catch((error: unknown) => this.logger.warn({ err: error }, 'cannot reload the quarantine folder'));
    }, intervalMs).unref();
  }

  close(): Promise<void> {
    clearInterval(this.watcher);
    this.watcher = undefined;
    return this.writes;
  }

  /**
   * Re-reads pins and quarantine from disk; releases tools whose quarantine entry an admin resolved. A tool that
   * changed again after the admin looked stays quarantined: the release covers only the definition approved.
   */
  async reload(): Promise<void> {
    await this.writes;
    const onDisk = new Set((await this.store.quarantined()).map((entry) => entry.tool));
    const resolved = [...this.quarantine.keys()].filter((tool) => !onDisk.has(tool));
    if (resolved.length === 0) return;
    for (const pin of await this.store.pins()) this.pins.set(pin.tool, pin);
    const released: string[] = [];
    for (const name of resolved) {
      const current = this.catalog?.get(name);
      const pin = this.pins.get(name);
      if (current && pin && pin.hash !== current.hash) {
        this.putInQuarantine(current, 'changed', [], definitionDiff(pin.definition, definitionOf(current), name));
        continue;
      }
      this.quarantine.delete(name);
      released.push(name);
      this.logger.info({ tool: name }, 'tool released from quarantine');
    }
    if (released.length > 0) this.emit('change', { quarantined: [], released });
  }

  private onChange(change: CatalogChange): void {
    const quarantined: string[] = [];
    const released: string[] = [];
    const knownServer = [...this.pins.values()].some((pin) => pin.server === change.server);
    const catalogTools = this.catalog?.all() ?? [...change.added, ...change.changed.map(([, after]) => after)];
    const foreignNames = foreignToolNames(change.server, catalogTools, catalogTools);

    for (const tool of [...change.added, ...change.changed.map(([, after]) => after)]) {
      const outcome = this.check(tool, knownServer, foreignNames);
      if (outcome === 'quarantined') quarantined.push(tool.exposedName);
      if (outcome === 'released') released.push(tool.exposedName);
    }
    // Tools pinned automatically on other servers may mention the tools that just arrived: shadowing goes both ways.
    const arrived = change.added.filter((t) => !this.quarantine.has(t.exposedName));
    if (this.config.scanDescriptions && arrived.length > 0) {
      for (const tool of catalogTools) {
        if (tool.server === change.server || this.quarantine.has(tool.exposedName)) continue;
        if (this.pins.get(tool.exposedName)?.pinnedBy !== 'first-sight') continue;
        const arrivedNames = foreignToolNames(tool.server, arrived, catalogTools);
        const findings = scanTool(tool, arrivedNames).filter((f) => f.rule === 'tool-shadowing');
        if (findings.length > 0) {
          this.putInQuarantine(tool, 'poisoned', findings);
          quarantined.push(tool.exposedName);
        }
      }
    }
    if (quarantined.length + released.length > 0) this.emit('change', { quarantined, released });
  }

  private check(tool: CatalogTool, knownServer: boolean, foreignNames: readonly string[]): 'pinned' | 'quarantined' | 'released' | 'unchanged' {
    const pin = this.pins.get(tool.exposedName);
    if (pin?.hash === tool.hash) {
      if (!this.quarantine.has(tool.exposedName)) return 'unchanged';
      // Changed back to what was approved.
      this.quarantine.delete(tool.exposedName);
      this.persist(() => this.store.removeQuarantine(tool.exposedName));
      return 'released';
    }
    const findings = this.config.scanDescriptions ? scanTool(tool, foreignNames) : [];
    if (pin && this.config.mode !== 'off') {
      this.putInQuarantine(tool, 'changed', findings, definitionDiff(pin.definition, definitionOf(tool), tool.exposedName));
      return 'quarantined';
    }
    if (findings.length > 0) {
      this.putInQuarantine(tool, 'poisoned', findings);
      return 'quarantined';
    }
    if (!pin && this.config.mode === 'strict' && knownServer) {
      this.putInQuarantine(tool, 'new-tool', []);
      return 'quarantined';
    }
    if (this.config.mode === 'off') return 'unchanged';
    const newPin: Pin = {
      tool: tool.exposedName,
      server: tool.server,
      hash: tool.hash,
      definition: definitionOf(tool),
      pinnedAt: new Date().toISOString(),
      pinnedBy: 'first-sight',
    };
    this.pins.set(tool.exposedName, newPin);
    this.persist(() => this.store.savePin(newPin));
    return 'pinned';
  }

  private putInQuarantine(tool: CatalogTool, kind: QuarantineEntry['kind'], findings: PoisoningFinding[], diff?: string): void {
    const reasons = [
      ...(kind === 'changed' ? ['definition changed since it was pinned'] : []),
      ...(kind === 'new-tool' ? ['new tool on a known server (pinning: strict)'] : []),
      ...findings.map(describeFinding),
    ];
    const entry: QuarantineEntry = {
      tool: tool.exposedName,
      server: tool.server,
      hash: tool.hash,
      definition: definitionOf(tool),
      kind,
      reasons,
      ...(diff !== undefined && { diff }),
      since: this.quarantine.get(tool.exposedName)?.since ?? new Date().toISOString(),
    };
    this.quarantine.set(tool.exposedName, entry);
    this.logger.warn({ tool: tool.exposedName, kind, reasons }, 'tool quarantined');
    this.persist(() => this.store.saveQuarantine(entry));
  }

  private persist(write: () => Promise<void>): void {
    this.writes = this.writes.then(write).catch((error: unknown) => {
      this.logger.error({ err: error }, 'cannot write the pin store');
    });
  }
}

/**
 * Names of `candidates` on servers other than `server` that a description on `server` could use to steer them.
 * A name that `server` itself also has is left out: the description may be talking about its own tool.
 */
function foreignToolNames(server: string, candidates: readonly CatalogTool[], catalog: readonly CatalogTool[]): string[] {
  const own = new Set(catalog.filter((t) => t.server === server).map((t) => t.name));
  return candidates.filter((t) => t.server !== server).flatMap(shadowableNames).filter((name) => !own.has(name));
}
