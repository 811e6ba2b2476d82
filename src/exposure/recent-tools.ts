/** The tools one session was shown by search (dynamic mode): bounded, least recently used dropped first. */
export class RecentTools {
  /** Insertion order is recency: the first key is the least recently used. */
  private readonly names = new Set<string>();

  constructor(readonly capacity: number) {}

  /** Makes `found` the most recent (the first of them most of all); true when the set of names changed. */
  add(found: readonly string[]): boolean {
    let changed = false;
    for (const name of [...found].reverse()) {
      if (this.names.has(name)) this.names.delete(name);
      else changed = true;
      this.names.add(name);
    }
    for (const oldest of this.names) {
      if (this.names.size <= this.capacity) break;
      this.names.delete(oldest);
      changed = true;
    }
    return changed;
  }

  /** A call to `name` makes it the most recently used, if the session has it. */
  touch(name: string): void {
    if (!this.names.delete(name)) return;
    this.names.add(name);
  }

  /** Most recent first. */
  list(): string[] {
    return [...this.names].reverse();
  }
}
