import type { ServerResponse } from 'node:http';
import { HttpError } from './http-util.js';

export interface SessionLimits {
  /** Live sessions, counting those being opened. */
  readonly maxSessions: number;
  /** Live sessions of one principal, counting those being opened. */
  readonly maxSessionsPerPrincipal: number;
  /** A session without a request for this long is expired; an open GET stream alone does not keep it. */
  readonly idleMs: number;
}

/** What an answered HTTP request is to its session: a request being answered, or the client's standing GET stream. */
export type Exchange = 'request' | 'stream';

interface Entry<S> {
  readonly session: S;
  readonly principal: string;
  /** Requests being answered (POST, DELETE): the session is busy. */
  requests: number;
  /** GET streams the client holds open: the session is listened to, which alone does not make it alive. */
  streams: number;
  /** When a request of it last began or ended (ms): which of a principal's unused sessions goes first. */
  lastActive: number;
  idleTimer: NodeJS.Timeout | undefined;
  heartbeat: NodeJS.Timeout | undefined;
}

/**
 * The live HTTP sessions, bounded in number (overall and per principal) and in idle time, so clients that vanish
 * without `DELETE`, or one principal opening session after session, cannot take every place. A session is idle when
 * no request has come for `idleMs`; one whose client only holds a GET stream is sent a heartbeat (a ping over the
 * stream) a few times per idle period, and a client that answers it (as every MCP client does) stays alive. A
 * stream nobody answers on is reaped. A principal at its own bound who opens another session closes its least recently
 * used session that is not in use (no request being answered, no GET stream): a client that ended without `DELETE`
 * (the SDK's `close()` sends none) must not lock its principal out for the rest of an idle period, while a session
 * in use is never taken. The client of a closed session gets `404` and, as MCP says, opens a new one.
 */
export class SessionRegistry<S> {
  private readonly entries = new Map<string, Entry<S>>();
  private readonly opening = new Map<string, number>();

  constructor(
    private readonly limits: SessionLimits,
    /** Closes an idle session; it must end with `delete(id)`. */
    private readonly expire: (id: string, session: S) => void,
    /** Asks the client of a session that only listens whether it is still there (a ping on its GET stream). */
    private readonly heartbeat: (id: string, session: S) => void = () => undefined,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /**
   * Holds a place for a session `principal` is about to open, or refuses with 503 when every place is taken, or
   * every place of that principal (`perPrincipal`: false in open mode, where every caller is one principal) by a
   * session in use: an unused one of its own is closed to make room. Call the returned function once the session is
   * added or has failed to open.
   */
  reserve(principal: string, perPrincipal = true): () => void {
    const opening = [...this.opening.values()].reduce((sum, count) => sum + count, 0);
    if (this.entries.size + opening >= this.limits.maxSessions) {
      throw new HttpError(
        503,
        -32000,
        `too many sessions (limits.maxSessions is ${this.limits.maxSessions}): close one (DELETE /mcp) or retry later`,
      );
    }
    const own = [...this.entries.values()].filter((entry) => entry.principal === principal).length + (this.opening.get(principal) ?? 0);
    if (perPrincipal && own >= this.limits.maxSessionsPerPrincipal && !this.closeUnused(principal)) {
      throw new HttpError(
        503,
        -32000,
        `too many sessions of principal ${principal} (limits.maxSessionsPerPrincipal is ${this.limits.maxSessionsPerPrincipal}), each in use: close one (DELETE /mcp) or retry later`,
      );
    }
    this.opening.set(principal, (this.opening.get(principal) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.opening.get(principal) ?? 1) - 1;
      if (left > 0) this.opening.set(principal, left);
      else this.opening.delete(principal);
    };
  }

  add(id: string, session: S, principal: string): void {
    const entry: Entry<S> = { session, principal, requests: 0, streams: 0, lastActive: Date.now(), idleTimer: undefined, heartbeat: undefined };
    this.entries.set(id, entry);
    this.armIdleTimer(id, entry);
  }

  get(id: string): S | undefined {
    return this.entries.get(id)?.session;
  }

  /** An exchange of session `id` is answered on `res` until it closes: a request keeps the session busy, a stream does not. */
  busyUntilClosed(id: string, res: ServerResponse, exchange: Exchange = 'request'): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    if (exchange === 'stream') {
      entry.streams++;
      this.armIdleTimer(id, entry);
      res.once('close', () => {
        entry.streams--;
        if (entry.streams === 0) this.stopHeartbeat(entry);
      });
      return;
    }
    entry.requests++;
    entry.lastActive = Date.now();
    this.disarm(entry);
    res.once('close', () => {
      entry.requests--;
      entry.lastActive = Date.now();
      if (this.entries.get(id) === entry) this.armIdleTimer(id, entry);
    });
  }

  delete(id: string): void {
    const entry = this.entries.get(id);
    if (entry) this.disarm(entry);
    this.entries.delete(id);
  }

  /** Forgets every session and returns them (to be closed by the caller). */
  clear(): S[] {
    const sessions = [...this.entries.values()].map((entry) => {
      this.disarm(entry);
      return entry.session;
    });
    this.entries.clear();
    return sessions;
  }

  /** Closes `principal`'s least recently used session with no request being answered and no stream; false if none. */
  private closeUnused(principal: string): boolean {
    let oldest: [string, Entry<S>] | undefined;
    for (const [id, entry] of this.entries) {
      if (entry.principal !== principal || entry.requests > 0 || entry.streams > 0) continue;
      if (!oldest || entry.lastActive < oldest[1].lastActive) oldest = [id, entry];
    }
    if (!oldest) return false;
    const [id, entry] = oldest;
    this.delete(id);
    this.expire(id, entry.session);
    return true;
  }

  /** Starts the idle period (a fresh one) unless a request is being answered; heartbeats while a stream is open. */
  private armIdleTimer(id: string, entry: Entry<S>): void {
    if (entry.requests > 0) return;
    this.disarm(entry);
    entry.idleTimer = setTimeout(() => this.expire(id, entry.session), this.limits.idleMs);
    entry.idleTimer.unref();
    if (entry.streams > 0) {
      entry.heartbeat = setInterval(() => this.heartbeat(id, entry.session), Math.max(1, Math.floor(this.limits.idleMs / 3)));
      entry.heartbeat.unref();
    }
  }

  private stopHeartbeat(entry: Entry<S>): void {
    clearInterval(entry.heartbeat);
    entry.heartbeat = undefined;
  }

  private disarm(entry: Entry<S>): void {
    clearTimeout(entry.idleTimer);
    entry.idleTimer = undefined;
    this.stopHeartbeat(entry);
  }
}
