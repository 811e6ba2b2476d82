import type { EventId, EventStore, StreamId } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

/** How much of its SSE traffic one session keeps for clients that reconnect (`limits.maxReplayEvents`, `maxReplayBytes`). */
export interface ReplayLimits {
  readonly maxEvents: number;
  readonly maxBytes: number;
}

interface StoredEvent {
  readonly streamId: StreamId;
  readonly message: JSONRPCMessage;
  readonly bytes: number;
}

/**
 * One HTTP session's SSE events, so a client that lost a stream (a POST's or the GET one) and reconnects with
 * `Last-Event-ID` is sent what it missed on that stream. Bounded: past `maxEvents` or `maxBytes` the oldest events go
 * first; an event id no longer held cannot be resumed from. Lives and dies with its session.
 * It has no `getStreamIdForEventId` on purpose: without it the transport lets a resume take over a stream whose
 * old connection the server still believes open (a client whose network went away), instead of answering 409.
 */
export class SessionEventStore implements EventStore {
  /** In the order they were sent: a Map iterates in insertion order. */
  private readonly events = new Map<EventId, StoredEvent>();
  private bytes = 0;
  private sequence = 0;

  constructor(private readonly limits: ReplayLimits) {}

  async storeEvent(streamId: StreamId, message: JSONRPCMessage): Promise<EventId> {
    const id = `${streamId}_${++this.sequence}`;
    const bytes = Buffer.byteLength(JSON.stringify(message));
    this.events.set(id, { streamId, message, bytes });
    this.bytes += bytes;
    this.evictOverLimits();
    return id;
  }

  /** Whether a client can resume after `eventId`: it is one of this session's, still held. */
  holds(eventId: EventId): boolean {
    return this.events.has(eventId);
  }

  async replayEventsAfter(lastEventId: EventId, { send }: { send: (eventId: EventId, message: JSONRPCMessage) => Promise<void> }): Promise<StreamId> {
    const last = this.events.get(lastEventId);
    if (!last) throw new Error(`event ${lastEventId} is not held (unknown, or dropped past the replay limits)`);
    let after = false;
    // Events stored while replaying are visited too; the transport does not send them twice.
    for (const [id, event] of this.events) {
      if (id === lastEventId) after = true;
      else if (after && event.streamId === last.streamId) await send(id, event.message);
    }
    return last.streamId;
  }

  clear(): void {
    this.events.clear();
    this.bytes = 0;
  }

  private evictOverLimits(): void {
    for (const [id, event] of this.events) {
      if (this.events.size <= this.limits.maxEvents && this.bytes <= this.limits.maxBytes) return;
      this.events.delete(id);
      this.bytes -= event.bytes;
    }
  }
}
