import { EventEmitter } from 'node:events';
import type { CallToolResult, GetPromptResult, ReadResourceResult } from '@modelcontextprotocol/sdk/types.js';
import type { DownstreamRead } from '../catalog/tool.js';
import type { Catalog } from '../catalog/catalog.js';
import type { DownstreamLimits } from '../config/limits.js';
import type { ConfigPaths } from '../config/path-reference.js';
import type { ServerConfig } from '../config/servers.js';
import type { Logger } from '../log.js';
import type { ClientChannel } from '../pipeline/call-context.js';
import { DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.js';
import type { Bubblewrap } from './sandbox.js';
import { ServerSupervisor, ServerUnavailable, type ServerStatus } from './supervisor.js';

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
export class DownstreamManager extends EventEmitter<{ state: [ServerStatus] }> {
  private readonly supervisors = new Map<string, ServerSupervisor>();

  constructor(servers: Readonly<Record<string, ServerConfig>>, options: DownstreamManagerOptions) {
    super();
    const deps = { ...options, backoff: options.backoff ?? DEFAULT_BACKOFF, maxCatalogTools: options.limits.maxCatalogTools };
    for (const [name, config] of Object.entries(servers)) {
      const supervisor = new ServerSupervisor(name, config, deps);
      supervisor.on('state', (status) => this.emit('state', status));
      this.supervisors.set(name, supervisor);
    }
  }

  /** Connects every eager server in parallel, without waiting: tools appear as servers come up. */
  startEager(): void {
    for (const supervisor of this.supervisors.values()) {
      if (supervisor.startup === 'eager') supervisor.start();
    }
  }

  /** Connects the lazy servers too: called when a client first needs the catalog. */
  startLazy(): void {
    for (const supervisor of this.supervisors.values()) supervisor.start();
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

  /** A resource read or prompt get, with the server's timeout and result limit; `args` are a prompt's arguments. */
  async read(
    server: string,
    read: DownstreamRead,
    args: Record<string, unknown>,
    signal: AbortSignal,
  ): Promise<ReadResourceResult | GetPromptResult> {
    const supervisor = this.supervisors.get(server);
    if (!supervisor) throw new ServerUnavailable('not in the config');
    return supervisor.use<ReadResourceResult | GetPromptResult>((connection, { timeoutMs, limits }) => {
      const options = { signal, timeoutMs, maxResultBytes: limits.maxResultBytes };
      return read.kind === 'resource'
        ? connection.readResource(read.uri, options)
        : connection.getPrompt(read.name, args as Record<string, string>, options);
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

  async stop(): Promise<void> {
    await Promise.all([...this.supervisors.values()].map((supervisor) => supervisor.stop()));
  }
}
