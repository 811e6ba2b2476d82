import type { IncomingMessage, ServerResponse } from 'node:http';

const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;

/** An HTTP failure answered with a JSON-RPC error body, as MCP clients expect. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly rpcCode: number,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export function sendJsonRpcError(res: ServerResponse, status: number, rpcCode: number, message: string): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: rpcCode, message }, id: null }));
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** How long an oversized body is still read (and dropped) after the 413, so the client gets it rather than a reset. */
const OVERSIZED_BODY_DRAIN_MS = 2_000;

/**
 * Reads and parses a JSON body, refusing one over `maxBytes` (413) as soon as it is known to be too big: from its
 * Content-Length, or while it streams in, so it is never buffered whole.
 */
export function readJsonBody(req: IncomingMessage, maxBytes = DEFAULT_MAX_BODY_BYTES): Promise<unknown> {
  const tooLarge = () => new HttpError(413, -32600, `request body over ${maxBytes} bytes (limits.maxRequestBytes)`);
  if (Number(req.headers['content-length']) > maxBytes) {
    drainThenClose(req);
    return Promise.reject(tooLarge());
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) {
        chunks.push(chunk);
        return;
      }
      req.off('data', onData).off('end', onEnd);
      drainThenClose(req);
      reject(tooLarge());
    };
    const onEnd = () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown);
      } catch (error) {
        reject(new HttpError(400, -32700, `parse error: ${(error as Error).message}`));
      }
    };
    req.on('data', onData).once('end', onEnd).once('error', reject);
  });
}

/**
 * Closing a socket with unread bytes makes the kernel send a reset, which can destroy our 413 before the client
 * reads it. So the rest of the body is read and dropped for a bounded moment, then the connection is closed.
 */
function drainThenClose(req: IncomingMessage): void {
  req.resume();
  setTimeout(() => req.destroy(), OVERSIZED_BODY_DRAIN_MS).unref();
}
