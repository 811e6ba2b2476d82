import { EventEmitter } from 'node:events';
import type { PinningConfig } from '../../config/policy.js';
import type { Catalog, CatalogChange } from '../../catalog/catalog.js';
import type { CatalogTool } from '../../catalog/tool.js';
import { TOOL_HASH_VERSION } from '../../catalog/tool-hash.js';
import type { Logger } from '../../log.js';
import { migratedPin } from './pin-migration.js';
import type { Pin, PinStore, QuarantineEntry, ReviewedQuarantineEntry } from '../../state/pin-store.js';
import { describeFinding, scanTool, shadowableNames, type PoisoningFinding, type ShadowingNames } from './poisoning-scan.js';
import { ShadowingIndex } from './shadowing-index.js';
import { definitionDiff, definitionOf } from './tool-definition.js';

export interface PinningEvents {
  /** A tool entered or left quarantine: listings and search results change. */
  change: [{ quarantined: string[]; released: string[] }];
  /** An admin refused a held definition (`reject-tool`, from the CLI or the console); the tool stays quarantined. */
  rejected: [{ tool: string; kind: QuarantineEntry['kind']; hash: string; by: string }];
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
  private readonly pinnedServers = new Set<string>();
  private readonly shadowing = new ShadowingIndex();
  private readonly quarantine = new Map<string, QuarantineEntry>();
  /** Quarantined by another process sharing the store (a replica whose server changed the tool), not seen here. */
  private readonly adopted = new Set<string>();
  /** The rejection already told of, per tool (`hash@at`): each `reject-tool` is announced once. */
  private readonly rejections = new Map<string, string>();
  private readonly unsavedServers = new Set<string>();
  private writes: Promise<void> = Promise.resolve();
  private catalog: Catalog | undefined;
  private watcher: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  private pollAgain = false;

  constructor(
    private readonly store: PinStore,
    private readonly config: PinningConfig,
    private readonly logger: Logger,
  ) {
    super();
    // One listener per client session.
    this.setMaxListeners(0);
  }

  /** Reads the pins, approvals and quarantine entries kept in the state folder; call before `attach`. */
  async load(): Promise<void> {
    for (const pin of await this.store.serverPins()) this.pin(pin);
    await this.absorbApproved();
    const stored = await this.store.reviewedQuarantine();
    for (const { rejected: _, ...entry } of stored) this.quarantine.set(entry.tool, entry);
    // Rejections made before this start were recorded then (or are in the state for review); none is news.
    this.newRejections(stored);
  }

  /** Checks what the catalog holds now, then every change to it. */
  attach(catalog: Catalog): void {
    this.catalog = catalog;
    const tools = catalog.all();
    // Only the description scan asks the shadowing index; without it, keeping the index up to date is wasted work.
    const scanning = this.config.scanDescriptions;
    if (scanning) for (const tool of tools) this.shadowing.add(tool);
    for (const [server, serverTools] of groupByServer(tools)) this.review({ server, added: serverTools, removed: [], changed: [] });
    catalog.on('change', (change) => {
      if (scanning) this.shadowing.apply(change);
      this.review(change);
    });
  }

  quarantined(tool: string): QuarantineEntry | undefined {
    return this.quarantine.get(tool);
  }

  /** Who pinned the definition a tool is held to: `first-sight`, or `admin:<who>` for one `approve-tool` released. */
  pinnedBy(tool: string): string | undefined {
    return this.pins.get(tool)?.pinnedBy;
  }

  allQuarantined(): QuarantineEntry[] {
    return [...this.quarantine.values()];
  }

  /** Resolves when every pin and quarantine file decided so far is on disk. */
  settled(): Promise<void> {
    return this.writes;
  }

  /**
   * Picks up what other processes sharing the store did (`approve-tool`, a replica's quarantine): polls it every
   * second, and at once when the store tells of a change (a shared store does).
   */
  watch(intervalMs = 1000): void {
    if (this.watcher) return;
    const poll = () => {
      // One reload at a time: a slow disk must not pile them up; a change told meanwhile is read by the next one.
      if (this.polling) {
        this.pollAgain = true;
        return;
      }
      this.polling = this.reload()
        .catch(() => undefined)
        .finally(() => {
          this.polling = undefined;
          if (this.pollAgain && this.watcher) {
            this.pollAgain = false;
            poll();
          }
        });
    };
    this.watcher = setInterval(poll, intervalMs).unref();
    this.store.onChange(poll).catch((error: unknown) => this.logger.warn({ err: error }, 'cannot follow pin store changes; reading it every second'));
  }

  close(): Promise<void> {
    clearInterval(this.watcher);
    this.watcher = undefined;
    return this.writes;
  }

  /**
   * Picks up what an admin did in another process: releases the tools whose definition `approve-tool` approved
   * (an approval record in the state folder, the only way out of quarantine). A quarantine file that is merely
   * missing releases nothing: it may not be written yet (quarantined a moment ago) or have been deleted by hand,
   * and is written again. A tool that changed again after the admin looked stays quarantined: the release covers
   * only the definition approved. Runs in the write queue, after every write decided before it.
   */
  reload(): Promise<void> {
    const reloaded = this.writes.then(() => this.reloadNow());
    this.writes = reloaded.catch((error: unknown) => this.logger.warn({ err: error }, 'cannot reload the quarantine folder'));
    return reloaded;
  }

  private async reloadNow(): Promise<void> {
    // Approvals first: `approve-tool` writes its approval before it removes the quarantine file.
    const approved = await this.absorbApproved();
    const stored = await this.store.reviewedQuarantine();
    const onDisk = new Set(stored.map((entry) => entry.tool));
    const released: string[] = [];
    for (const pin of approved) {
      const entry = this.quarantine.get(pin.tool);
      if (!entry) continue;
      const current = this.catalog?.get(pin.tool);
      if (current && current.hash !== pin.hash) {
        this.putInQuarantine(current, 'changed', [], definitionDiff(pin.definition, definitionOf(current), pin.tool));
        continue;
      }
      this.quarantine.delete(pin.tool);
      this.adopted.delete(pin.tool);
      this.persist(() => this.store.removeQuarantine(pin.tool));
      released.push(pin.tool);
      this.logger.info({ tool: pin.tool, by: pin.pinnedBy }, 'tool released from quarantine');
    }
    for (const [name, entry] of this.quarantine) {
      if (!onDisk.has(name)) this.persist(() => this.store.saveQuarantine(entry));
    }
    const adopted = this.adopt(stored);
    if (released.length + adopted.length > 0) this.emit('change', { quarantined: adopted, released });
    for (const rejection of this.newRejections(stored)) this.emit('rejected', rejection);
  }

  /** The held definitions refused since the last look; a rejection of a definition no longer held is not news. */
  private newRejections(stored: readonly ReviewedQuarantineEntry[]): Array<PinningEvents['rejected'][0]> {
    const fresh: Array<PinningEvents['rejected'][0]> = [];
    for (const entry of stored) {
      const { rejected } = entry;
      if (!rejected || this.quarantine.get(entry.tool)?.hash !== entry.hash) continue;
      const key = `${entry.hash}@${rejected.at}`;
      if (this.rejections.get(entry.tool) === key) continue;
      this.rejections.set(entry.tool, key);
      fresh.push({ tool: entry.tool, kind: entry.kind, hash: entry.hash, by: rejected.by });
    }
    return fresh;
  }

  /**
   * Holds here too what another process sharing the store quarantined (a replica whose server changed the tool, or
   * which found it poisoned): the same tool is refused on every replica until an admin approves it. An entry for a
   * definition that is pinned (approved meanwhile) is resolved, not adopted.
   */
  private adopt(stored: readonly ReviewedQuarantineEntry[]): string[] {
    const adopted: string[] = [];
    for (const entry of stored) {
      if (this.quarantine.has(entry.tool) || this.pins.get(entry.tool)?.hash === entry.hash) continue;
      const { rejected: _, ...held } = entry;
      this.quarantine.set(entry.tool, held);
      this.adopted.add(entry.tool);
      adopted.push(entry.tool);
      this.logger.warn({ tool: entry.tool, kind: entry.kind, reasons: entry.reasons }, 'tool quarantined by another process sharing the state');
    }
    return adopted;
  }

  /** Takes over definitions approved with `approve-tool` into the server's pin file; returns those new to this process. */
  private async absorbApproved(): Promise<Pin[]> {
    const approved: Pin[] = [];
    for (const pin of await this.store.approvedPins()) {
      // A shared store keeps approvals for every replica: one taken over already costs nothing.
      if (samePin(this.pins.get(pin.tool), pin)) continue;
      approved.push(pin);
      this.pin(pin);
      this.savePins(pin.server);
      this.persist(() => this.store.removeApproved(pin.tool));
    }
    return approved;
  }

  /** Decides on the tools `change` brought; the shadowing index already holds the catalog after it. */
  private review(change: CatalogChange): void {
    const quarantined: string[] = [];
    const released: string[] = [];
    const knownServer = this.pinnedServers.has(change.server);
    const names = this.shadowing.namesFor(change.server);

    for (const tool of [...change.added, ...change.changed.map(([, after]) => after)]) {
      const outcome = this.check(tool, knownServer, names);
      if (outcome === 'quarantined') quarantined.push(tool.exposedName);
      if (outcome === 'released') released.push(tool.exposedName);
    }
    // Tools pinned automatically on other servers may mention the tools that just arrived: shadowing goes both ways.
    const arrived = change.added.filter((t) => !this.quarantine.has(t.exposedName));
    if (this.config.scanDescriptions && arrived.length > 0) {
      const arrivedNames = new Set(arrived.flatMap(shadowableNames));
      for (const tool of this.shadowing.mentioning(arrivedNames, change.server)) {
        const held = this.quarantine.get(tool.exposedName);
        if (!held && this.pins.get(tool.exposedName)?.pinnedBy !== 'first-sight') continue;
        const findings = scanTool(tool, this.shadowing.namesFor(tool.server, arrivedNames)).filter((f) => f.rule === 'tool-shadowing');
        if (findings.length === 0) continue;
        // A tool held already keeps its place in the queue; the reviewer still needs to see what it shadows.
        if (held) this.addReasons(held, findings);
        else {
          this.putInQuarantine(tool, 'poisoned', findings);
          quarantined.push(tool.exposedName);
        }
      }
    }
    if (quarantined.length + released.length > 0) this.emit('change', { quarantined, released });
  }

  private check(tool: CatalogTool, knownServer: boolean, names: ShadowingNames): 'pinned' | 'quarantined' | 'released' | 'unchanged' {
    const pin = this.pinOf(tool);
    if (pin?.hash === tool.hash) {
      // Held for what it is (a hijacker, or shadowing a tool that arrived later), not for changing: still so.
      const held = this.quarantine.get(tool.exposedName);
      if (!held || held.kind !== 'changed') return 'unchanged';
      // Quarantined by another replica: its server changed the tool, this one's going back changes nothing.
      if (this.adopted.has(tool.exposedName)) return 'unchanged';
      // Changed back to what was approved.
      this.quarantine.delete(tool.exposedName);
      this.persist(() => this.store.removeQuarantine(tool.exposedName));
      return 'released';
    }
    // Held already for this very definition (found in the state at start, or by an earlier listing): nothing new to
    // decide, log or audit. Every restart and every `toolscope tools` would otherwise record the quarantine again.
    const held = this.quarantine.get(tool.exposedName);
    if (held?.hash === tool.hash) return 'unchanged';
    const findings = this.config.scanDescriptions ? scanTool(tool, names) : [];
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
    if (held) {
      // Changed while held (a poisoned description cleaned up, say): still held, now for what the server serves, which
      // is what approve-tool pins. Pinned at first sight instead, the entry would keep the old text for approve-tool.
      this.putInQuarantine(tool, held.kind, [], definitionDiff(held.definition, definitionOf(tool), tool.exposedName), heldBefore(held));
      return 'quarantined';
    }
    if (this.config.mode === 'off') return 'unchanged';
    const newPin: Pin = {
      tool: tool.exposedName,
      server: tool.server,
      hash: tool.hash,
      hashVersion: TOOL_HASH_VERSION,
      definition: definitionOf(tool),
      pinnedAt: new Date().toISOString(),
      pinnedBy: 'first-sight',
    };
    this.pin(newPin);
    this.savePins(tool.server);
    return 'pinned';
  }

  /** The tool's pin; one recorded with an older content hash is carried over (and saved) when the tool still matches it. */
  private pinOf(tool: CatalogTool): Pin | undefined {
    const pin = this.pins.get(tool.exposedName);
    const migrated = pin && migratedPin(pin, tool);
    if (!migrated) return pin;
    this.pin(migrated);
    this.savePins(tool.server);
    this.logger.debug({ tool: tool.exposedName }, 'pin carried over to the current content hash');
    return migrated;
  }

  private pin(pin: Pin): void {
    this.pins.set(pin.tool, pin);
    this.pinnedServers.add(pin.server);
  }

  /**
   * Holds a tool for review for a reason found outside the catalog's change event (the retrieval hijack check);
   * released like any quarantined tool, by `approve-tool`. False when the tool is gone or already held.
   */
  holdForReview(name: string, kind: QuarantineEntry['kind'], reasons: readonly string[]): boolean {
    const tool = this.catalog?.get(name);
    if (!tool || this.quarantine.has(name)) return false;
    this.putInQuarantine(tool, kind, [], undefined, reasons);
    this.emit('change', { quarantined: [name], released: [] });
    return true;
  }

  private putInQuarantine(
    tool: CatalogTool,
    kind: QuarantineEntry['kind'],
    findings: PoisoningFinding[],
    diff?: string,
    otherReasons: readonly string[] = [],
  ): void {
    const reasons = [
      ...otherReasons,
      ...(kind === 'changed' ? ['definition changed since it was pinned'] : []),
      ...(kind === 'new-tool' ? ['new tool on a known server (pinning: strict)'] : []),
      ...findings.map(describeFinding),
    ];
    const entry: QuarantineEntry = {
      tool: tool.exposedName,
      server: tool.server,
      hash: tool.hash,
      hashVersion: TOOL_HASH_VERSION,
      definition: definitionOf(tool),
      kind,
      reasons,
      ...(diff !== undefined && { diff }),
      since: this.quarantine.get(tool.exposedName)?.since ?? new Date().toISOString(),
    };
    this.quarantine.set(tool.exposedName, entry);
    this.adopted.delete(tool.exposedName);
    this.logger.warn({ tool: tool.exposedName, kind, reasons }, 'tool quarantined');
    this.persist(() => this.store.saveQuarantine(entry));
  }

  /** Adds findings a held tool's entry does not name yet (which servers' tools it shadows depends on who came first). */
  private addReasons(held: QuarantineEntry, findings: readonly PoisoningFinding[]): void {
    const added = findings.map(describeFinding).filter((reason) => !held.reasons.includes(reason));
    if (added.length === 0) return;
    const entry: QuarantineEntry = { ...held, reasons: [...held.reasons, ...added] };
    this.quarantine.set(entry.tool, entry);
    this.logger.warn({ tool: entry.tool, kind: entry.kind, reasons: added }, 'quarantined tool found shadowing another server\'s tool');
    this.persist(() => this.store.saveQuarantine(entry));
  }

  /** Marks a server's pin file for writing; a burst of pins (a server's first listing) becomes one write. */
  private savePins(server: string): void {
    const queued = this.unsavedServers.size > 0;
    this.unsavedServers.add(server);
    if (queued) return;
    this.persist(async () => {
      const servers = [...this.unsavedServers];
      this.unsavedServers.clear();
      const pinsByServer = groupByServer([...this.pins.values()]);
      for (const name of servers) await this.store.saveServerPins(name, pinsByServer.get(name) ?? []);
    });
  }

  private persist(write: () => Promise<void>): void {
    this.writes = this.writes.then(write).catch((error: unknown) => {
      this.logger.error({ err: error }, 'cannot write the pin store');
    });
  }
}

function groupByServer<T extends { readonly server: string }>(tools: readonly T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const tool of tools) {
    const group = groups.get(tool.server);
    if (group) group.push(tool);
    else groups.set(tool.server, [tool]);
  }
  return groups;
}

const CHANGED_WHILE_HELD = 'definition changed while held for review';
const EARLIER = 'the earlier definition: ';

/** The reasons a tool changed while held keeps: why its earlier definition was held, each said once. */
function heldBefore(held: QuarantineEntry): string[] {
  const earlier = held.reasons.filter((reason) => reason !== CHANGED_WHILE_HELD).map((reason) => (reason.startsWith(EARLIER) ? reason : EARLIER + reason));
  return [CHANGED_WHILE_HELD, ...earlier];
}

function samePin(held: Pin | undefined, pin: Pin): boolean {
  return held?.hash === pin.hash && held.pinnedAt === pin.pinnedAt && held.pinnedBy === pin.pinnedBy;
}
