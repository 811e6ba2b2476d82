import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { SessionEventStore } from '../src/server/event-store.js';

/**
 * The event store behind stream resumption (src/server/event-store.ts): replays one stream's events after a given
 * one, in order; bounded in count and in bytes, the oldest dropped first; emptied with its session.
 */

const progress = (value: number, padding = ''): JSONRPCMessage => ({
  jsonrpc: '2.0',
  method: 'notifications/progress',
  params: { progressToken: 't', progress: value, ...(padding && { message: padding }) },
});

async function replayed(store: SessionEventStore, after: string): Promise<{ stream: string; messages: JSONRPCMessage[] }> {
  const messages: JSONRPCMessage[] = [];
  const stream = await store.replayEventsAfter(after, { send: async (_, message) => void messages.push(message) });
  return { stream, messages };
}

describe('session event store', () => {
  it("replays only the events after the given one, of that event's stream, in order", async () => {
    const store = new SessionEventStore({ maxEvents: 100, maxBytes: 1024 * 1024 });
    const first = await store.storeEvent('call', progress(1));
    await store.storeEvent('other', progress(100));
    await store.storeEvent('call', progress(2));
    await store.storeEvent('call', progress(3));

    expect(await replayed(store, first)).toEqual({ stream: 'call', messages: [progress(2), progress(3)] });
  });

  it('keeps at most maxEvents events, dropping the oldest', async () => {
    const store = new SessionEventStore({ maxEvents: 3, maxBytes: 1024 * 1024 });
    const ids = [];
    for (let value = 1; value <= 5; value += 1) ids.push(await store.storeEvent('call', progress(value)));

    expect(ids.map((id) => store.holds(id))).toEqual([false, false, true, true, true]);
    expect((await replayed(store, ids[2]!)).messages).toEqual([progress(4), progress(5)]);
  });

  it('keeps at most maxBytes of events as JSON, dropping the oldest', async () => {
    const big = progress(1, 'x'.repeat(400));
    const bytes = Buffer.byteLength(JSON.stringify(big));
    const store = new SessionEventStore({ maxEvents: 100, maxBytes: 2 * bytes + 10 });
    const ids = [await store.storeEvent('call', big), await store.storeEvent('call', big), await store.storeEvent('call', big)];

    expect(ids.map((id) => store.holds(id))).toEqual([false, true, true]);
    await expect(store.replayEventsAfter(ids[0]!, { send: async () => undefined })).rejects.toThrow(/is not held/);
  });

  it('forgets everything when its session closes', async () => {
    const store = new SessionEventStore({ maxEvents: 100, maxBytes: 1024 * 1024 });
    const id = await store.storeEvent('call', progress(1));
    store.clear();
    expect(store.holds(id)).toBe(false);
  });
});
