/** An HTTP session as replicas share it: who opened it, and where. */
export interface SessionRecord {
  readonly principal: string;
  /** The replica holding its transport (its GET stream, and the requests it relays to the client). */
  readonly replica: string;
  readonly openedAt: string;
}

/**
 * HTTP sessions known to every replica, so a client's requests may land on any of them. Only a shared backend
 * has one: with the file backend a session lives in the process that opened it.
 */
export interface SessionStore {
  /** Records a session opened on this replica; it expires after `idleMs` without `touch`. */
  save(id: string, record: SessionRecord, idleMs: number): Promise<void>;
  /** The session if it is open on some replica (and keeps it open another `idleMs`); undefined if closed or expired. */
  touch(id: string, idleMs: number): Promise<SessionRecord | undefined>;
  /** Closes it for every replica (`DELETE /mcp`, or closed where it was opened). */
  remove(id: string): Promise<void>;
  /** Calls `listener` with the id of every session removed on any replica. */
  onRemoved(listener: (id: string) => void): Promise<void>;
}
