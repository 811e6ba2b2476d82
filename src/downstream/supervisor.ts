import { EventEmitter } from 'node:events';
import type { CallToolResult, LoggingMessageNotification, Tool } from '@modelcontextprotocol/sdk/types.js';
import { toCatalogTool, type Catalog } from '../catalog/catalog.js';
import { exposedContent } from '../catalog/naming.js';
import { MissingEnvError } from '../config/env-reference.js';
import { ProgramNotFound } from '../config/program.js';
import { serverLimits, type DownstreamLimits } from '../config/limits.js';
import type { ConfigPaths } from '../config/path-reference.js';
import { serverNamespace, type ServerConfig } from '../config/servers.js';
import type { Logger } from '../log.js';
import type { ClientChannel } from '../pipeline/call-context.js';
import { backoffDelay, type BackoffPolicy } from './backoff.js';
import { CallTimedOut, DownstreamConnection, type CallOptions, type ListKind } from './connection.js';
import { WorkingFolderMissing } from './launch.js';
import { ListingTooLarge } from './listing-limits.js';
import { SandboxUnavailable, type Bubblewrap } from './sandbox.js';
import { errorMessage } from '../error-message.js';

/**
 * `idle`: lazy, not needed yet. `starting`: spawning/handshaking. `ready`: serving calls.
 * `backoff`: crashed or failed to start, waiting to retry. `failed`: failed too often in a row, or for a reason a
 * quick retry cannot fix (see lastError); its tools left the catalog. It is retried every `maxDelayMs` (retryAt set)
 * unless nothing but a config edit or a restart can fix it (see Retry).
 * `disabled`: `enabled: false` in the config. `stopped`: the gateway shut it down.
 */
export type ServerState = 'idle' | 'starting' | 'ready' | 'backoff' | 'failed' | 'disabled' | 'stopped';

export interface ServerStatus {
  readonly name: string;
  readonly transport: ServerConfig['type'];
  readonly startup: ServerConfig['startup'];
  readonly state: ServerState;
  readonly tools: number;
  readonly restarts: number;
  readonly pid?: number;
  /** For a connected stdio server whose `sandbox.mode` is not `off`: whether it runs inside bubblewrap. */
  readonly sandboxed?: boolean;
  readonly lastError?: string;
  /** ISO time of the next restart attempt while in `backoff` or `failed`. */
  readonly retryAt?: string;
}

export interface SupervisorDeps {
  readonly catalog: Catalog;
  readonly paths: ConfigPaths;
  readonly logger: Logger;
  readonly backoff: BackoffPolicy;
  readonly bubblewrap: Bubblewrap;
  /** The global `limits`; a server's own `limits` override them. */
  readonly limits: DownstreamLimits;
  /** Tools the whole catalog may hold (`limits.maxCatalogTools`). */
  readonly maxCatalogTools: number;
}

/** What a supervisor tells besides its state: what the server announced, and each new connection. */
export interface SupervisorEvents {
  state: [ServerStatus];
  /** A connection is ready: the server's resources, prompts and logging level may need setting up again. */
  connected: [DownstreamConnection];
  listChanged: [ListKind];
  resourceUpdated: [string];
  log: [LoggingMessageNotification['params']];
}

/** The server's request settings, for requests made on its connection. */
export interface RequestSettings {
  readonly timeoutMs: number;
  readonly limits: DownstreamLimits;
}

/** How long a server whose call timed out has to answer a ping before it is taken for hung. */
const HUNG_PING_TIMEOUT_MS = 5_000;

/**
 * How a failure is retried. `backoff`: soon, then later and later, then at the cap. `at-cap`: only at the cap, as a
 * missing program or working folder may be installed or made meanwhile. `never`: nothing outside the config can fix it
 * while toolscope runs (a missing `${env:…}` variable, the sandbox), and a config edit restarts the server anyway.
 */
type Retry = 'backoff' | 'at-cap' | 'never';

function retryFor(error: unknown): Retry {
  if (error instanceof MissingEnvError || error instanceof SandboxUnavailable) return 'never';
  if (error instanceof ProgramNotFound || error instanceof WorkingFolderMissing) return 'at-cap';
  return 'backoff';
}

/** A call reached a server that cannot take it right now; the message says why. */
export class ServerUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ServerUnavailable';
  }
}

/**
 * Keeps one downstream server running: connects, mirrors its tools into the catalog (and follows
 * `tools/list_changed`), restarts it with capped exponential backoff when it dies; after too many consecutive
 * failures marks it `failed` but keeps retrying at the cap, so a server that comes back is picked up by itself.
 * Nothing here blocks other servers.
 */
export class ServerSupervisor extends EventEmitter<SupervisorEvents> {
  private state: ServerState;
  private connection: DownstreamConnection | undefined;
  private pending: { promise: Promise<DownstreamConnection>; abort: AbortController } | undefined;
  /** Bumped whenever a connection is adopted or dropped, so hooks of an old connection are ignored. */
  private generation = 0;
  private failures = 0;
  private restarts = 0;
  private lastError: string | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryAt: number | undefined;
  /** In `failed`, from the first failure past the quick retries until the server is ready again. */
  private retryingAtCap = false;
  private readySince = 0;
  private refreshing = false;
  private refreshAgain = false;
  /** Connections being shut down after a timeout; `stop` waits for their children to be gone. */
  private readonly retiring = new Set<Promise<void>>();
  private readonly limits: DownstreamLimits;
  private readonly log: Logger;

  constructor(
    readonly name: string,
    private readonly config: ServerConfig,
    private readonly deps: SupervisorDeps,
  ) {
    super();
    this.state = config.enabled ? 'idle' : 'disabled';
    this.log = deps.logger.child({ server: name });
    this.limits = serverLimits(deps.limits, config.limits);
  }

  get startup(): ServerConfig['startup'] {
    return this.config.startup;
  }

  /** The prefix of the server's exposed names (`servers.NAME.namespace`, default its name). */
  get namespace(): string {
    return serverNamespace(this.name, this.config);
  }

  /** The connection if the server is ready now, without starting or waiting for anything. */
  get readyConnection(): DownstreamConnection | undefined {
    return this.state === 'ready' ? this.connection : undefined;
  }

  /**
   * Runs a request (a resource read, a prompt, a completion…) on the server's connection, waiting for one in
   * progress and starting a lazy server, with the server's timeout and limits.
   */
  async use<T>(request: (connection: DownstreamConnection, settings: RequestSettings) => Promise<T>): Promise<T> {
    const connection = await this.usableConnection();
    return request(connection, { timeoutMs: this.config.timeoutMs, limits: this.limits });
  }

  /** Begins connecting unless already up, connecting, waiting to retry, disabled or given up. */
  start(): void {
    if (this.state === 'idle' || this.state === 'stopped') void this.attempt().catch(() => undefined);
  }

  status(): ServerStatus {
    return {
      name: this.name,
      transport: this.config.type,
      startup: this.config.startup,
      state: this.state,
      tools: this.deps.catalog.forServer(this.name).length,
      restarts: this.restarts,
      ...(this.connection?.pid !== undefined && { pid: this.connection.pid }),
      ...(this.sandboxRequested && this.connection?.sandboxed !== undefined && { sandboxed: this.connection.sandboxed }),
      ...(this.lastError !== undefined && { lastError: this.lastError }),
      ...(this.retryAt !== undefined && { retryAt: new Date(this.retryAt).toISOString() }),
    };
  }

  /**
   * Forwards a call with the server's timeout and result limit; waits for a connection in progress, starts a
   * lazy server. When a call times out and the server does not answer a ping either, it is hung: it is restarted
   * (unless `restartWhenHung` is false).
   */
  async callTool(
    tool: string,
    args: Record<string, unknown>,
    signal: AbortSignal,
    client: ClientChannel,
  ): Promise<CallToolResult> {
    const connection = await this.usableConnection();
    const options: CallOptions = { signal, client, timeoutMs: this.config.timeoutMs, maxResultBytes: this.limits.maxResultBytes };
    try {
      const result = await connection.callTool(tool, args, options);
      // Resources a result embeds or links are read through toolscope, under their exposed URIs.
      return this.namespace === '' ? result : { ...result, content: result.content.map((block) => exposedContent(this.namespace, block)) };
    } catch (error) {
      if (!(error instanceof CallTimedOut) || !this.config.restartWhenHung) throw error;
      // A server still answering pings is alive: only this call was slow.
      if (await connection.responds(Math.min(this.config.timeoutMs, HUNG_PING_TIMEOUT_MS))) throw error;
      this.recycle(connection, error.message);
      throw new Error(`${error.message}; the server did not answer a ping either and is being restarted (restartWhenHung)`);
    }
  }

  async stop(): Promise<void> {
    if (this.state === 'disabled') return;
    this.setState('stopped');
    this.generation++;
    clearTimeout(this.retryTimer);
    this.retryAt = undefined;
    this.pending?.abort.abort();
    await this.pending?.promise.catch(() => undefined);
    const connection = this.connection;
    this.connection = undefined;
    await connection?.close().catch((error: unknown) => this.log.warn({ err: error }, 'error while closing'));
    await Promise.all(this.retiring);
  }

  private get sandboxRequested(): boolean {
    return this.config.type === 'stdio' && this.config.sandbox.mode !== 'off';
  }

  private async usableConnection(): Promise<DownstreamConnection> {
    switch (this.state) {
      case 'ready':
        return this.connection!;
      case 'starting':
        return this.pending!.promise;
      case 'idle':
        return this.attempt();
      case 'backoff':
        throw new ServerUnavailable(`not available, restarting in ${this.secondsToRetry()} s (last error: ${this.lastError})`);
      case 'failed': {
        const lastError = `(last error: ${this.lastError})`;
        if (this.retryAt === undefined) throw new ServerUnavailable(`not available until its config entry changes or toolscope restarts ${lastError}`);
        const times = `${this.failures} time${this.failures === 1 ? '' : 's'}`;
        throw new ServerUnavailable(`not available, failed ${times} in a row, retrying in ${this.secondsToRetry()} s ${lastError}`);
      }
      case 'disabled':
        throw new ServerUnavailable('disabled in the config');
      case 'stopped':
        throw new ServerUnavailable('stopped');
    }
  }

  private secondsToRetry(): number {
    return Math.max(0, Math.ceil(((this.retryAt ?? Date.now()) - Date.now()) / 1000));
  }

  private attempt(): Promise<DownstreamConnection> {
    const abort = new AbortController();
    const promise = this.connect(abort.signal);
    this.pending = { promise, abort };
    this.setState('starting');
    promise.then(
      () => {
        this.pending = undefined;
      },
      (error: unknown) => {
        this.pending = undefined;
        if (!abort.signal.aborted) this.startFailed(error);
      },
    );
    return promise;
  }

  private async connect(signal: AbortSignal): Promise<DownstreamConnection> {
    const generation = ++this.generation;
    const current = () => generation === this.generation;
    const connection = await DownstreamConnection.open(this.name, this.config, {
      paths: this.deps.paths,
      logger: this.deps.logger,
      bubblewrap: this.deps.bubblewrap,
      limits: this.limits,
      signal,
      hooks: {
        onToolsChanged: () => {
          if (!current()) return;
          // Servers often add tools right after the handshake, while our first listing may already be in flight.
          if (this.state === 'ready') this.refreshTools();
          else this.refreshAgain = true;
        },
        onLost: (reason) => {
          if (current() && this.state === 'ready') this.lost(reason);
        },
        onListChanged: (kind) => {
          if (current()) this.emit('listChanged', kind);
        },
        onResourceUpdated: (uri) => {
          if (current()) this.emit('resourceUpdated', uri);
        },
        onLog: (params) => {
          if (current()) this.emit('log', params);
        },
      },
    });
    const abandon = () => void connection.close().catch(() => undefined);
    signal.addEventListener('abort', abandon, { once: true });
    try {
      const tools = await connection.listTools(this.config.timeoutMs, this.limits);
      if (signal.aborted) throw new ServerUnavailable('stopped');
      this.adoptTools(tools);
    } catch (error) {
      await connection.close().catch(() => undefined);
      throw error;
    } finally {
      signal.removeEventListener('abort', abandon);
    }
    this.connection = connection;
    this.readySince = Date.now();
    this.retryAt = undefined;
    this.retryingAtCap = false;
    this.log.info({ tools: this.deps.catalog.forServer(this.name).length, childPid: connection.pid }, 'server ready');
    this.setState('ready');
    this.emit('connected', connection);
    if (this.refreshAgain) {
      this.refreshAgain = false;
      this.refreshTools();
    }
    return connection;
  }

  private lost(reason: string): void {
    this.generation++;
    this.connection = undefined;
    if (Date.now() - this.readySince >= this.deps.backoff.stableAfterMs) this.failures = 0;
    this.log.warn({ reason }, 'server connection lost');
    this.failed(reason, 'backoff');
  }

  /** Replaces a hung connection: its child is killed (SIGKILL if need be), a new one started. */
  private recycle(connection: DownstreamConnection, reason: string): void {
    if (connection !== this.connection) return;
    const closing = connection
      .close()
      .catch((error: unknown) => this.log.warn({ err: error }, 'error while closing a hung server'))
      .finally(() => this.retiring.delete(closing));
    this.retiring.add(closing);
    this.lost(`a call got ${reason}`);
  }

  private startFailed(error: unknown): void {
    const message = errorMessage(error);
    this.log.warn({ reason: message }, 'server failed to start');
    this.failed(message, retryFor(error));
  }

  /** Schedules the next attempt as `retry` says; past the quick retries the server shows `failed`, its tools gone. */
  private failed(reason: string, retry: Retry): void {
    this.lastError = reason;
    this.failures++;
    const { backoff } = this.deps;
    if (retry === 'backoff' && this.failures < backoff.maxConsecutiveFailures) {
      this.retryIn(backoffDelay(backoff, this.failures));
      this.setState('backoff');
      return;
    }
    this.deps.catalog.removeServer(this.name);
    if (retry === 'never') {
      this.retryAt = undefined;
      this.log.error({ reason }, 'server failed; not retrying: only a config edit or a restart of toolscope can fix this');
    } else {
      // Once, not at every retry: each failed attempt is logged already (failed to start, connection lost).
      if (!this.retryingAtCap) {
        const fields = { reason, failures: this.failures, retryEveryMs: backoff.maxDelayMs };
        this.log.error(fields, 'server failed; retrying every retryEveryMs until it starts');
      }
      this.retryingAtCap = true;
      this.retryIn(backoff.maxDelayMs);
    }
    this.setState('failed');
  }

  private retryIn(delay: number): void {
    this.retryAt = Date.now() + delay;
    this.retryTimer = setTimeout(() => {
      this.retryAt = undefined;
      this.restarts++;
      void this.attempt().catch(() => undefined);
    }, delay);
    this.retryTimer.unref();
  }

  /** Re-lists the server's tools; a notification arriving mid-refresh queues exactly one more. */
  private refreshTools(): void {
    if (this.refreshing) {
      this.refreshAgain = true;
      return;
    }
    this.refreshing = true;
    const generation = this.generation;
    this.connection!.listTools(this.config.timeoutMs, this.limits)
      .then((tools) => {
        if (generation !== this.generation) return;
        this.adoptTools(tools);
        this.emit('state', this.status());
      })
      .catch((error: unknown) => this.log.warn({ err: error }, 'could not refresh tools after list_changed'))
      .finally(() => {
        const again = this.refreshAgain;
        this.refreshing = false;
        this.refreshAgain = false;
        if (again && this.state === 'ready') this.refreshTools();
      });
  }

  /** Puts the server's tools in the catalog, unless the whole catalog would then pass `limits.maxCatalogTools`. */
  private adoptTools(tools: readonly Tool[]): void {
    const others = this.deps.catalog.size - this.deps.catalog.forServer(this.name).length;
    if (others + tools.length > this.deps.maxCatalogTools) {
      throw new ListingTooLarge(
        `its ${tools.length} tools would bring the catalog to ${others + tools.length}, more than limits.maxCatalogTools (${this.deps.maxCatalogTools})`,
      );
    }
    const change = this.deps.catalog.setServerTools(
      this.name,
      tools.map((tool) => toCatalogTool(this.name, tool, this.namespace)),
    );
    for (const tool of change.collided ?? []) {
      this.log.warn({ tool: tool.name, exposedName: tool.exposedName }, 'tool left out: another server already exposes a tool of that name');
    }
  }

  private setState(state: ServerState): void {
    this.state = state;
    this.emit('state', this.status());
  }
}
