import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConformanceServer, type ConformanceServer } from './fixtures/conformance-server.js';
import { serveHttpProcess, type HttpServeProcess } from './support/serve-process.js';
import { freshRequestId, openRawSession, type RawSession, type SseStream } from './support/sse-session.js';
import { servers, tempDir, writeConfig } from './support/toolscope-cli.js';
import type { TempDir } from './support/temp-dir.js';

/**
 * Stream resumption over Streamable HTTP (`toolscope serve --http`, real server-everything and probe server): a
 * client whose POST stream (mid-call) or GET stream (between notifications) is cut reconnects with `Last-Event-ID`
 * and is sent what it missed exactly once, then what follows; each session keeps a bounded number of events
 * (`limits.maxReplayEvents`, here 50), and an event past them cannot be resumed from. Downstream, a server that
 * closes a call's stream (the conformance fixture's `test_reconnection`) is resumed by toolscope in turn.
 */

const MAX_REPLAY_EVENTS = 50;
const LONG_RUNNING = 'everything__trigger-long-running-operation';

interface Message {
  readonly id?: number;
  readonly method?: string;
  readonly params?: { readonly progress?: number };
  readonly result?: { readonly content?: ReadonlyArray<{ readonly text?: string }> };
}

const messageOf = (data: string): Message | undefined => (data ? (JSON.parse(data) as Message) : undefined);

/** Reads events until `done` says so (or the stream ends); returns them with the last event id seen. */
async function readUntil(stream: SseStream, done: (seen: readonly Message[]) => boolean): Promise<{ messages: Message[]; lastEventId?: string }> {
  const messages: Message[] = [];
  let lastEventId: string | undefined;
  while (!done(messages)) {
    const event = await stream.next();
    if (!event) break;
    if (event.id) lastEventId = event.id;
    const message = messageOf(event.data);
    if (message) messages.push(message);
  }
  return { messages, ...(lastEventId !== undefined && { lastEventId }) };
}

const progressOf = (messages: readonly Message[]) =>
  messages.filter((message) => message.method === 'notifications/progress').map((message) => message.params?.progress);

const callLongRunning = (session: RawSession, id: number, steps: number, duration: number) =>
  session.post({
    jsonrpc: '2.0',
    id,
    method: 'tools/call',
    params: { name: LONG_RUNNING, arguments: { duration, steps }, _meta: { progressToken: `progress-${id}` } },
  });

let dir: TempDir;
let downstream: ConformanceServer;
let toolscope: HttpServeProcess;

beforeAll(async () => {
  dir = await tempDir();
  downstream = await startConformanceServer();
  const config = {
    exposure: { mode: 'all' },
    retrieval: { retriever: 'bm25' },
    limits: { maxReplayEvents: MAX_REPLAY_EVENTS },
    servers: { everything: servers.everything(), probe: servers.probe(dir.path), conformance: { url: downstream.url } },
  };
  toolscope = await serveHttpProcess(await writeConfig(dir.path, config));
  // Both servers connected: their connecting announces list changes no test here expects.
  const session = await openRawSession(toolscope.url);
  for (;;) {
    const { tools } = (await session.request('tools/list', {})) as { tools: Array<{ name: string }> };
    const names = tools.map((tool) => tool.name);
    if ([LONG_RUNNING, 'probe__add_resource', 'conformance__test_reconnection'].every((name) => names.includes(name))) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}, 60_000);

afterAll(async () => {
  await toolscope?.stop();
  await downstream?.close();
  await dir?.remove();
});

describe('stream resumption with Last-Event-ID', () => {
  it('a POST stream cut mid-call: the missed progress exactly once, then the result', async () => {
    const session = await openRawSession(toolscope.url);
    const id = freshRequestId();
    const stream = await callLongRunning(session, id, 5, 1.5);
    const before = await readUntil(stream, (seen) => progressOf(seen).length === 1);
    stream.cut();

    expect(before.lastEventId).toBeDefined();
    const resumed = await session.get(before.lastEventId);
    expect(resumed.status).toBe(200);
    const after = await readUntil(resumed, (seen) => seen.some((message) => message.id === id));
    resumed.cut();

    expect(progressOf(before.messages)).toEqual([1]);
    expect(progressOf(after.messages)).toEqual([2, 3, 4, 5]);
    const result = after.messages.filter((message) => message.id === id);
    expect(result).toHaveLength(1);
    expect(result[0]!.result?.content?.[0]?.text).toMatch(/^Long running operation completed/);
  });

  it('the GET stream cut between notifications: the missed ones exactly once, in order, then live ones', async () => {
    const session = await openRawSession(toolscope.url);
    const listChanges = (seen: readonly Message[]) => seen.map((message) => message.method).filter((method) => method?.endsWith('/list_changed'));
    const stream = await session.get();
    await session.request('tools/call', { name: 'probe__add_resource', arguments: { name: 'seen' } });
    const before = await readUntil(stream, (seen) => listChanges(seen).includes('notifications/resources/list_changed'));
    stream.cut();

    await session.request('tools/call', { name: 'probe__add_prompt', arguments: { name: 'missed' } });
    await session.request('tools/call', { name: 'probe__add_resource', arguments: { name: 'missed' } });
    const resumed = await session.get(before.lastEventId);
    expect(resumed.status).toBe(200);
    const missed = await readUntil(resumed, (seen) => listChanges(seen).length === 2);
    await session.request('tools/call', { name: 'probe__add_resource', arguments: { name: 'live' } });
    const live = await readUntil(resumed, (seen) => listChanges(seen).length === 1);
    resumed.cut();

    expect(listChanges(missed.messages)).toEqual(['notifications/prompts/list_changed', 'notifications/resources/list_changed']);
    expect(listChanges(live.messages)).toEqual(['notifications/resources/list_changed']);
  });

  it(`keeps at most limits.maxReplayEvents events: an older one cannot be resumed from, a recent one can`, async () => {
    const session = await openRawSession(toolscope.url);
    const id = freshRequestId();
    const stream = await callLongRunning(session, id, MAX_REPLAY_EVENTS + 10, 0.6);
    const ids: string[] = [];
    for (let event = await stream.next(); event; event = await stream.next()) if (event.id) ids.push(event.id);
    expect(ids.length).toBeGreaterThan(MAX_REPLAY_EVENTS);

    const tooOld = await session.get(ids[0]);
    expect(tooOld.status).toBe(400);
    expect(await tooOld.text()).toMatch(/Last-Event-ID .* cannot be resumed: .*limits\.maxReplayEvents \(50\)/);

    const recent = await session.get(ids.at(-3));
    expect(recent.status).toBe(200);
    const replayed = await readUntil(recent, (seen) => seen.some((message) => message.id === id));
    recent.cut();
    expect(progressOf(replayed.messages)).toEqual([MAX_REPLAY_EVENTS + 10]);
  });

  it('refuses a Last-Event-ID the session never sent, naming it', async () => {
    const session = await openRawSession(toolscope.url);
    const stream = await session.get('no-such-event');
    expect(stream.status).toBe(400);
    expect(await stream.text()).toMatch(/Last-Event-ID \\"no-such-event\\" cannot be resumed: not an event of this session/);
  });

  it('a downstream that closes the call’s stream mid-call (SEP-1699 polling): toolscope resumes it, the client gets the result', async () => {
    const session = await openRawSession(toolscope.url);
    const result = (await session.request('tools/call', { name: 'conformance__test_reconnection', arguments: {} })) as Message['result'];
    expect(result?.content?.[0]?.text).toBe('Reconnection test completed successfully');
  });
});
