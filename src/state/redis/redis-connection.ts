import { once } from 'node:events';
import { Redis, type RedisOptions } from 'ioredis';
import { expandEnvReferences } from '../../config/env-reference.js';
import type { Logger } from '../../log.js';
import type { RedisStateConfig } from '../config.js';
import { StateUnavailableError } from '../unavailable.js';
import { errorMessage } from '../../error-message.js';

/** How long `serve` waits for Redis at start before it gives up with the reason. */
const CONNECT_TIMEOUT_MS = 10_000;
/** Reconnection: quickly at first (a restart takes a second or two), then every 2 s, for ever. */
const reconnectDelay = (attempt: number) => Math.min(100 * attempt, 2_000);

/** The URL as it may be shown: any password replaced. */
export function maskedRedisUrl(url: string): string {
  return url.replace(/^([a-z]+:\/\/)([^@/]*@)/i, (_match, scheme: string, auth: string) => `${scheme}${auth.includes(':') ? '***@' : auth}`);
}

/**
 * The two Redis connections of one toolscope: `commands` for reads, writes and scripts, `subscriber` for the pub/sub
 * channels that tell replicas something changed. Both reconnect by themselves. While either is down, every operation
 * fails at once with `StateUnavailableError` (no offline queue: a call must not wait for a Redis that may never
 * come back); when both are back, `ready` listeners run, so caches re-read what they may have missed.
 */
export class RedisConnection {
  readonly commands: Redis;
  private readonly subscriber: Redis;
  readonly description: string;
  private readonly channelListeners = new Map<string, Set<(message: string) => void>>();
  private readonly readyListeners = new Set<() => void>();
  private wasReady = false;
  private everReady = false;
  private closing = false;

  constructor(
    private readonly config: RedisStateConfig,
    private readonly logger: Logger,
  ) {
    this.description = `redis ${maskedRedisUrl(config.url)}`;
    const url = expandEnvReferences(config.url, 'state.url');
    const options: RedisOptions = {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: config.commandTimeoutMs,
      connectTimeout: config.commandTimeoutMs,
      retryStrategy: reconnectDelay,
      connectionName: 'toolscope',
    };
    const target = url.startsWith('unix://') ? { ...options, path: url.slice('unix://'.length) } : options;
    this.commands = url.startsWith('unix://') ? new Redis(target) : new Redis(url, target);
    // The subscriber keeps its offline queue: it only (re)subscribes, and ioredis replays subscriptions itself.
    this.subscriber = this.commands.duplicate({ enableOfflineQueue: true, connectionName: 'toolscope-events' });
    for (const client of [this.commands, this.subscriber]) {
      client.on('error', (error: Error) => this.lost(error.message));
      client.on('close', () => this.lost('connection closed'));
      client.on('ready', () => this.regained());
    }
    this.subscriber.on('message', (channel: string, message: string) => {
      for (const listener of this.channelListeners.get(channel) ?? []) listener(message);
    });
  }

  /** Connects both (once; later calls find them connected); fails with the reason if Redis cannot be reached within 10 s. */
  async connect(): Promise<void> {
    if (this.available) return;
    const ready = (client: Redis) =>
      client.status === 'ready' ? Promise.resolve() : once(client, 'ready', { signal: AbortSignal.timeout(CONNECT_TIMEOUT_MS) });
    const attempts = [this.commands, this.subscriber].map((client) => {
      client.connect().catch(() => undefined);
      return ready(client);
    });
    try {
      await Promise.all(attempts);
    } catch {
      await this.close();
      throw new StateUnavailableError(this.description, `cannot connect within ${CONNECT_TIMEOUT_MS / 1000} s (state.url)`);
    }
  }

  get available(): boolean {
    return this.commands.status === 'ready' && this.subscriber.status === 'ready';
  }

  /** Throws `StateUnavailableError` unless both connections are up. */
  ensureAvailable(): void {
    if (!this.available) throw new StateUnavailableError(this.description, `not connected (${this.commands.status})`);
  }

  /** Runs Redis commands; any failure of Redis itself becomes `StateUnavailableError`. */
  async run<T>(operation: (redis: Redis) => Promise<T>): Promise<T> {
    this.ensureAvailable();
    try {
      return await operation(this.commands);
    } catch (error) {
      if (error instanceof StateUnavailableError) throw error;
      throw new StateUnavailableError(this.description, errorMessage(error));
    }
  }

  /** The full key for `name`: every key carries `state.keyPrefix`. */
  key(name: string): string {
    return `${this.config.keyPrefix}${name}`;
  }

  async publish(channel: string, message: string): Promise<void> {
    await this.run((redis) => redis.publish(this.key(channel), message));
  }

  /** Calls `listener` with every message on `channel` (published by any replica, this one included). */
  async subscribe(channel: string, listener: (message: string) => void): Promise<() => void> {
    const full = this.key(channel);
    let listeners = this.channelListeners.get(full);
    if (!listeners) {
      listeners = new Set();
      this.channelListeners.set(full, listeners);
      await this.subscriber.subscribe(full);
    }
    listeners.add(listener);
    return () => listeners.delete(listener);
  }

  /** Runs `listener` each time the connections come back after a loss (not at the first connect). */
  onReconnect(listener: () => void): () => void {
    this.readyListeners.add(listener);
    return () => this.readyListeners.delete(listener);
  }

  async close(): Promise<void> {
    this.closing = true;
    this.readyListeners.clear();
    for (const client of [this.commands, this.subscriber]) client.disconnect();
  }

  private lost(reason: string): void {
    if (!this.wasReady || this.closing) return;
    this.wasReady = false;
    this.logger.error({ state: this.description, reason }, 'shared state lost: calls are refused until it is back');
  }

  private regained(): void {
    if (!this.available || this.wasReady) return;
    const reconnected = this.everReady;
    this.wasReady = true;
    this.everReady = true;
    if (!reconnected) return;
    this.logger.warn({ state: this.description }, 'shared state is back');
    for (const listener of this.readyListeners) listener();
  }
}
