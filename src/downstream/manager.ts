import { EventEmitter } from 'node:events';
import { isDeepStrictEqual } from 'node:util';
import { ErrorCode, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { DownstreamRead } from '../catalog/tool.js';
import type { Catalog } from '../catalog/catalog.js';
import type { DownstreamLimits } from '../config/limits.js';
import type { ConfigPaths } from '../config/path-reference.js';
import type { ServerConfig } from '../config/servers.js';
import type { Logger } from '../log.js';
import type { ClientChannel, DownstreamResult } from '../pipeline/call-context.js';
import { protocolError } from '../protocol-error.js';
import { DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.js';
import type { Bubblewrap } from './sandbox.js';
import { ServerSupervisor, ServerUnavailable, type ServerStatus, type SupervisorDeps } from './supervisor.js';

export interface DownstreamManagerOptions {
  readonly catalog: Catalog;
  readonly paths: ConfigPaths;
  readonly logger: Logger;
  readonly backoff?: BackoffPolicy;
  readonly bubblewrap: Bubblewrap;
  /** The global downstream limits, and how many tools the whole catalog may hold. */
  readonly limits: DownstreamLimits & { readonly maxCatalogTools: number };
}

/** Every configured downstream server, each under its own supervisor. */
/** What {@link DownstreamManager.reconcile} did, by server name. */
export interface ServerChanges {
  readonly added: string[];
  readonly removed: string[];
  /** Changed entries, restarted with the new entry: those switched off or on are `disabled` and `enabled` instead. */
  readonly restarted: string[];
  readonly disabled: string[];
  readonly enabled: string[];
}

export interface ManagerEvents {
  state: [ServerStatus];
  /** A server came into the config while running (live configuration). */
  added: [ServerSupervisor];
  /** A server left the config (or is restarted with a new entry, then `added` again). */
  removed: [string];
}

export class DownstreamManager extends EventEmitter<ManagerEvents> {
  private readonly supervisors = new Map<string, ServerSupervisor>();
  private readonly configs = new Map<string, ServerConfig>();
  private readonly deps: SupervisorDeps;
  private started: 'no' | 'eager' | 'all' = 'no';

  constructor(servers: Readonly<Record<string, ServerConfig>>, private readonly options: DownstreamManagerOptions) {
    super();
    this.deps = { ...options, backoff: options.backoff ?? DEFAULT_BACKOFF, maxCatalogTools: options.limits.maxCatalogTools };
    for (const [name, config] of Object.entries(servers)) this.add(name, config);
  }

  /** Connects every eager server in parallel, without waiting: tools appear as servers come up. */
  startEager(): void {
    if (this.started === 'no') this.started = 'eager';
    for (const supervisor of this.supervisors.values()) {
      if (supervisor.startup === 'eager') supervisor.start();
    }
  }

  /** Connects the lazy servers too: called when a client first needs the catalog. */
  startLazy(): void {
    this.started = 'all';
    for (const supervisor of this.supervisors.values()) supervisor.start();
  }

  /**
   * Brings the running servers in line with an edited `servers` section: removed ones stop (their tools leave the
   * catalog), added ones start as they would have at start-up, changed ones restart with their new entry. The others,
   * and the calls in flight to them, are not touched.
   */
  async reconcile(servers: Readonly<Record<string, ServerConfig>>): Promise<ServerChanges> {
    const changes: ServerChanges = { added: [], removed: [], restarted: [], disabled: [], enabled: [] };
    const stopping: Array<Promise<void>> = [];
    for (const name of this.supervisors.keys()) {
      const next = servers[name];
      const before = this.configs.get(name);
      if (next !== undefined && isDeepStrictEqual(next, before)) continue;
      stopping.push(this.retire(name));
      changes[next === undefined ? 'removed' : next.enabled === before?.enabled ? 'restarted' : next.enabled ? 'enabled' : 'disabled'].push(name);
    }
    await Promise.all(stopping);
    const replaced = new Set([...changes.restarted, ...changes.disabled, ...changes.enabled]);
    for (const [name, config] of Object.entries(servers)) {
      if (this.supervisors.has(name)) continue;
      if (!replaced.has(name)) changes.added.push(name);
      const supervisor = this.add(name, config);
      this.emit('added', supervisor);
      if (this.started === 'all' || (this.started === 'eager' && supervisor.startup === 'eager')) supervisor.start();
    }
    return changes;
  }

  /** Resolves once no server is still connecting, or after `timeoutMs`. */
  settled(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        if (this.status().some((status) => status.state === 'starting')) return;
        done();
      };
      const timer = setTimeout(() => done(), timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.off('state', check);
        resolve();
      };
      this.on('state', check);
      check();
    });
  }

  /** `client`: who the call is for; a caller without a client session offers the server nothing to ask. */
  async callTool(
    server: string,
    tool: string,
    args: Record<string, unknown>,
    signal: AbortSignal,
    client: ClientChannel = {},
  ): Promise<CallToolResult> {
    const supervisor = this.supervisors.get(server);
    if (!supervisor) throw new ServerUnavailable('not in the config');
    return supervisor.callTool(tool, args, signal, client);
  }

  /**
   * A resource read or subscription, prompt get or completion, with the server's timeout and result limit; `args` are
   * a prompt's arguments. A completion on a server that offers none completes nothing.
   */
  async read(server: string, read: DownstreamRead, args: Record<string, unknown>, signal: AbortSignal): Promise<DownstreamResult> {
    const supervisor = this.supervisors.get(server);
    if (!supervisor) throw new ServerUnavailable('not in the config');
    return supervisor.use<DownstreamResult>(async (connection, { timeoutMs, limits }) => {
      const options = { signal, timeoutMs, maxResultBytes: limits.maxResultBytes };
      switch (read.kind) {
        case 'resource':
          if (!read.subscribe) return connection.readResource(read.uri, options);
          if (!connection.capabilities.resources?.subscribe) {
            throw protocolError(ErrorCode.InvalidRequest, `server "${server}" does not offer resource subscriptions`);
          }
          await connection.subscribe(read.uri, timeoutMs);
          return {};
        case 'prompt':
          return connection.getPrompt(read.name, args as Record<string, string>, options);
        case 'completion':
          if (!connection.capabilities.completions) return { completion: { values: [] } };
          return connection.complete(read.params, timeoutMs, signal);
      }
    });
  }

  /** The supervisor of a configured server, or undefined. */
  server(name: string): ServerSupervisor | undefined {
    return this.supervisors.get(name);
  }

  /** Every configured server's supervisor. */
  servers(): ServerSupervisor[] {
    return [...this.supervisors.values()];
  }

  status(): ServerStatus[] {
    return [...this.supervisors.values()].map((supervisor) => supervisor.status());
  }

  private add(name: string, config: ServerConfig): ServerSupervisor {
    const supervisor = new ServerSupervisor(name, config, this.deps);
    supervisor.on('state', (status) => this.emit('state', status));
    this.supervisors.set(name, supervisor);
    this.configs.set(name, config);
    return supervisor;
  }

  /** Stops a server for good and takes its tools out of the catalog (clients get `list_changed`). */
  private async retire(name: string): Promise<void> {
    const supervisor = this.supervisors.get(name)!;
    this.supervisors.delete(name);
    this.configs.delete(name);
    await supervisor.stop();
    supervisor.removeAllListeners();
    this.options.catalog.removeServer(name);
    this.emit('removed', name);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.supervisors.values()].map((supervisor) => supervisor.stop()));
  }
}
