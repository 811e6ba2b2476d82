import { SseError } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

/** Error codes, anywhere in an error's causes, that say the server is not there: nothing listens at its address. */
const SERVER_DOWN = new Set(['ECONNREFUSED']);

/**
 * What an error of an HTTP transport, after the handshake, says of the session: why it is gone for good (the server
 * answered 404 for it, or 400 saying the session id is unknown or invalid, as the SDK's own servers do; nothing
 * listens at the server's address any more; a legacy SSE stream, which the session lives on, ended), or undefined
 * when the error alone does not tell (a reset connection, a proxy's 502, a broken event stream): a ping will.
 */
export function sessionLoss(error: unknown): string | undefined {
  if (error instanceof StreamableHTTPError) {
    const sessionUnknown = error.code === 404 || (error.code === 400 && /session|not initialized/i.test(error.message));
    return sessionUnknown ? `the server no longer knows toolscope's session (${httpDetail(error)})` : undefined;
  }
  // The session lives as long as its event stream: the stream reconnected would be a new session never initialized.
  if (error instanceof SseError) {
    const detail = error.event?.message;
    return `the SSE stream ended, and toolscope's session with it${detail ? ` (${detail})` : ''}`;
  }
  if (hasCode(error, SERVER_DOWN)) return `the server cannot be reached: ${describeFailure(error)}`;
  return undefined;
}

/** `HTTP 404: Session not found`: the status and, from a JSON-RPC error body, its message (the SDK quotes the body). */
function httpDetail(error: StreamableHTTPError): string {
  const text = error.message.replace(/^Streamable HTTP error: /, '');
  const body = text.indexOf('{');
  let message: unknown;
  if (body !== -1) {
    try {
      message = (JSON.parse(text.slice(body)) as { error?: { message?: unknown } }).error?.message;
    } catch {
      // Not JSON: the text as the SDK gave it.
    }
  }
  return `HTTP ${error.code}: ${typeof message === 'string' ? message : text}`;
}

function hasCode(error: unknown, codes: ReadonlySet<string>, depth = 0): boolean {
  if (!(error instanceof Error) || depth > 8) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && codes.has(code)) return true;
  if (error instanceof AggregateError && error.errors.some((inner) => hasCode(inner, codes, depth + 1))) return true;
  return hasCode(error.cause, codes, depth + 1);
}

/**
 * An error's message followed by its causes: fetch says only "fetch failed", its cause what failed
 * ("connect ECONNREFUSED 127.0.0.1:7899", "getaddrinfo ENOTFOUND host"); an AggregateError (one per address tried)
 * gives its errors'.
 */
export function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const parts = error instanceof AggregateError && error.message === '' ? [...new Set(error.errors.map(describeFailure))] : [error.message];
  const cause = error.cause === undefined ? '' : describeFailure(error.cause);
  return cause === '' || parts.includes(cause) ? parts.join('; ') : `${parts.join('; ')} (${cause})`;
}
