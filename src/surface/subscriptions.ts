/**
 * How many client sessions hold a subscription to each resource of each server: toolscope unsubscribes downstream
 * after the last, and subscribes again when the server reconnects.
 */
export class SubscriptionCounts {
  private readonly counts = new Map<string, Map<string, number>>();

  /** Adds one holder (each session's subscribe is passed downstream as it comes: subscribing twice is harmless). */
  add(server: string, uri: string): void {
    const uris = this.counts.get(server) ?? new Map<string, number>();
    this.counts.set(server, uris);
    uris.set(uri, (uris.get(uri) ?? 0) + 1);
  }

  /** Removes one holder; true when it was the last (unsubscribe downstream). */
  remove(server: string, uri: string): boolean {
    const uris = this.counts.get(server);
    const count = uris?.get(uri);
    if (!uris || count === undefined) return false;
    if (count > 1) {
      uris.set(uri, count - 1);
      return false;
    }
    uris.delete(uri);
    return true;
  }

  /** Forgets a server that left the config. */
  forget(server: string): void {
    this.counts.delete(server);
  }

  /** The URIs someone holds on `server`. */
  held(server: string): string[] {
    return [...(this.counts.get(server)?.keys() ?? [])];
  }
}
