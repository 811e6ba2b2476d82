import type { IncomingMessage, ServerResponse } from 'node:http';

const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;

/** An HTTP failure answered with a JSON-RPC error body, as MCP clients expect. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly rpcCode: number,
    message: string,
  ) {
    super(message);
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

/**
 * Reads and parses a JSON body, refusing one over `maxBytes` (413) as soon as it is known to be too big: from its
 * Content-Length, or while it streams in, so it is never buffered whole.
 */
export async function readJsonBody(req: IncomingMessage, maxBytes = DEFAULT_MAX_BODY_BYTES): Promise<unknown> {
  const tooLarge = () => new HttpError(413, -32600, `request body over ${maxBytes} bytes`);
  const declared = Number(req.headers['content-length']);
  if (declared > maxBytes) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw tooLarge();
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch (error) {
    throw new HttpError(400, -32700, `parse error: ${(error as Error).message}`);
  }
}
