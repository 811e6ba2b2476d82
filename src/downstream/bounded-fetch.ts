import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';

/** An HTTP server sent more than the limit in one response body or one server-sent event. */
export class ResponseTooLarge extends Error {
  constructor(limit: number, what: string) {
    super(`the server sent ${what} over ${limit} bytes (limits.maxMessageBytes)`);
    this.name = 'ResponseTooLarge';
  }
}

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/**
 * A fetch for the SDK's HTTP client transports whose response bodies fail with ResponseTooLarge once they pass
 * `maxBytes`: a JSON body as a whole (its request fails with the error), an event stream per event (a long-lived
 * stream may carry any number of messages). The SDK only logs a broken event stream, so a request waiting on it
 * would hang: `onEventTooLarge` is told, to reset the connection. Bodies are counted as they stream, so nothing past
 * the limit is buffered.
 */
export function boundedFetch(
  maxBytes: number,
  onEventTooLarge: (error: ResponseTooLarge) => void,
  base: FetchLike = fetch,
): FetchLike {
  return async (url, init) => {
    const response = await base(url, init);
    if (!response.body) return response;
    const eventStream = response.headers.get('content-type')?.includes('text/event-stream') ?? false;
    const count = eventStream ? eventCounter(maxBytes) : bodyCounter(maxBytes);
    const body = response.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          try {
            count(chunk);
          } catch (error) {
            if (eventStream) onEventTooLarge(error as ResponseTooLarge);
            throw error;
          }
          controller.enqueue(chunk);
        },
      }),
    );
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}

function bodyCounter(maxBytes: number): (chunk: Uint8Array) => void {
  let total = 0;
  return (chunk) => {
    total += chunk.length;
    if (total > maxBytes) throw new ResponseTooLarge(maxBytes, 'a response');
  };
}

/** Counts the bytes of the current event; a blank line ends an event. */
function eventCounter(maxBytes: number): (chunk: Uint8Array) => void {
  let eventBytes = 0;
  let lineHasContent = false;
  return (chunk) => {
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf(NEWLINE, start);
      const end = newline === -1 ? chunk.length : newline;
      const crlf = newline !== -1 && end > start && chunk[end - 1] === CARRIAGE_RETURN;
      if (end - start - (crlf ? 1 : 0) > 0) lineHasContent = true;
      eventBytes += end - start;
      if (eventBytes > maxBytes) throw new ResponseTooLarge(maxBytes, 'an event');
      if (newline === -1) return;
      if (!lineHasContent) eventBytes = 0;
      lineHasContent = false;
      start = newline + 1;
    }
  };
}
