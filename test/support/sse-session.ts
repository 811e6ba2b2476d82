import { EventSourceParserStream, type EventSourceMessage } from 'eventsource-parser/stream';

/**
 * A Streamable HTTP client by hand, for tests of the transport itself: it reads SSE events one by one, can cut a
 * stream whenever it likes (as a lost connection would) and reconnects with `Last-Event-ID`, none of which the SDK
 * client lets a test do.
 */

const PROTOCOL_VERSION = '2025-11-25';

export interface SseStream {
  readonly status: number;
  /** The next event; undefined once the stream ended. */
  next(): Promise<EventSourceMessage | undefined>;
  /** The whole body as text, for an answer that is no stream (an HTTP error). */
  text(): Promise<string>;
  /** Drops the connection, as a network failure would. */
  cut(): void;
}

export interface RawSession {
  readonly id: string;
  /** POSTs one JSON-RPC message; the answer is read as an SSE stream. */
  post(message: unknown): Promise<SseStream>;
  /** Opens the GET stream, resuming after `lastEventId` when given. */
  get(lastEventId?: string): Promise<SseStream>;
  /** POSTs a request and reads its stream to the response's result (rejects on an error answer). */
  request(method: string, params: Record<string, unknown>): Promise<unknown>;
}

async function open(url: string, init: RequestInit): Promise<SseStream & { readonly sessionId: string | null }> {
  const abort = new AbortController();
  const response = await fetch(url, { ...init, signal: abort.signal });
  let reader: ReadableStreamDefaultReader<EventSourceMessage> | undefined;
  return {
    status: response.status,
    sessionId: response.headers.get('mcp-session-id'),
    async next() {
      reader ??= response.body?.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream()).getReader();
      if (!reader) return undefined;
      const read = await reader.read().catch(() => ({ done: true as const, value: undefined }));
      return read.done ? undefined : read.value;
    },
    text: () => response.text(),
    cut: () => abort.abort(),
  };
}

let nextRequestId = 1;

/** Initializes a session at `url` (protocol 2025-11-25, so the server may make streams resumable). */
export async function openRawSession(url: string): Promise<RawSession> {
  const headers = (session?: string): Record<string, string> => ({
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    'mcp-protocol-version': PROTOCOL_VERSION,
    ...(session !== undefined && { 'mcp-session-id': session }),
  });
  const initialize = await open(url, {
    method: 'POST',
    headers: headers(),
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: nextRequestId++,
      method: 'initialize',
      params: { protocolVersion: PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'sse-session', version: '1.0.0' } },
    }),
  });
  const id = initialize.sessionId;
  if (!id) throw new Error(`no mcp-session-id from initialize (HTTP ${initialize.status})`);
  while (await initialize.next());
  const post = (message: unknown) => open(url, { method: 'POST', headers: headers(id), body: JSON.stringify(message) });
  await (await post({ jsonrpc: '2.0', method: 'notifications/initialized' })).text();
  return {
    id,
    post,
    get: (lastEventId) =>
      open(url, {
        method: 'GET',
        headers: { ...headers(id), accept: 'text/event-stream', ...(lastEventId !== undefined && { 'last-event-id': lastEventId }) },
      }),
    async request(method, params) {
      const requestId = nextRequestId++;
      const stream = await post({ jsonrpc: '2.0', id: requestId, method, params });
      for (let event = await stream.next(); event; event = await stream.next()) {
        const message = event.data ? (JSON.parse(event.data) as { id?: number; result?: unknown; error?: unknown }) : undefined;
        if (message?.id !== requestId) continue;
        if (message.error) throw new Error(`${method}: ${JSON.stringify(message.error)}`);
        stream.cut();
        return message.result;
      }
      throw new Error(`${method}: the stream ended without an answer`);
    },
  };
}

/** A request id the next `post` may use, unique within the test process. */
export const freshRequestId = (): number => nextRequestId++;
