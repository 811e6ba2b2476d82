import type { ServerResponse } from 'node:http';
import { HttpError } from './http-util.js';

export interface SessionLimits {
  /** Live sessions, counting those being opened. */
  readonly maxSessions: number;
  /** A session without any request in flight (an open stream counts) for this long is expired. */
  readonly idleMs: number;
}

interface Entry<S> {
  readonly session: S;
  /** Responses still open: requests being answered and streams held by the client. */
  open: number;
  idleTimer: NodeJS.Timeout | undefined;
}

/**
 * The live HTTP sessions, bounded in number and in idle time, so clients that vanish without `DELETE` cannot
 * pile sessions up. A client listening on its GET stream is not idle: only a session nobody is connected to expires.
 */
export class SessionRegistry<S> {
  private readonly entries = new Map<string, Entry<S>>();
  private opening = 0;

  constructor(
    private readonly limits: SessionLimits,
    /** Closes an idle session; it must end with `delete(id)`. */
    private readonly expire: (id: string, session: S) => void,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /**
   * Holds a place for a session about to open, or refuses with 503 when every place is taken. Call the returned
   * function once the session is added or has failed to open.
   */
  reserve(): () => void {
    if (this.entries.size + this.opening >= this.limits.maxSessions) {
      throw new HttpError(
        503,
        -32000,
        `too many sessions (limits.maxSessions is ${this.limits.maxSessions}): close one (DELETE /mcp) or retry later`,
      );
    }
    this.opening++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.opening--;
    };
  }

  add(id: string, session: S): void {
    const entry: Entry<S> = { session, open: 0, idleTimer: undefined };
    this.entries.set(id, entry);
    this.armIdleTimer(id, entry);
  }

  get(id: string): S | undefined {
    return this.entries.get(id)?.session;
  }

  /** A request of session `id` is answered on `res`: the session is busy until `res` closes. */
  busyUntilClosed(id: string, res: ServerResponse): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    entry.open++;
    clearTimeout(entry.idleTimer);
    entry.idleTimer = undefined;
    res.once('close', () => {
      entry.open--;
      if (this.entries.get(id) === entry) this.armIdleTimer(id, entry);
    });
  }

  delete(id: string): void {
    clearTimeout(this.entries.get(id)?.idleTimer);
    this.entries.delete(id);
  }

  /** Forgets every session and returns them (to be closed by the caller). */
  clear(): S[] {
    const sessions = [...this.entries.values()].map((entry) => {
      clearTimeout(entry.idleTimer);
      return entry.session;
    });
    this.entries.clear();
    return sessions;
  }

  private armIdleTimer(id: string, entry: Entry<S>): void {
    if (entry.open > 0) return;
    entry.idleTimer = setTimeout(() => this.expire(id, entry.session), this.limits.idleMs);
    entry.idleTimer.unref();
  }
}
