import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';
import type { Dispatcher } from 'undici';

/**
 * A Streamable HTTP MCP session made of plain HTTP requests, for the throughput load generator. The SDK client costs
 * about 2 ms of CPU per call (fetch, web streams, schema validation); on two cores that caps the measurable rate near
 * 400 calls/s, far below what toolscope is asked to serve. This one sends pre-built JSON-RPC bodies and reads only
 * what a load test must check: the session id, and that each call got a result that is not a tool error.
 */
export class RawMcpSession {
  private nextId = 1;

  private constructor(
    private readonly pool: Dispatcher,
    private readonly path: string,
    private readonly headers: Record<string, string>,
  ) {}

  /** Runs the initialize handshake (initialize, then notifications/initialized) on `pool`'s origin. */
  static async open(pool: Dispatcher, url: URL, token: string | undefined): Promise<RawMcpSession> {
    const base: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...(token !== undefined && { authorization: `Bearer ${token}` }),
    };
    const init = await pool.request({
      method: 'POST',
      path: url.pathname,
      headers: base,
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 0,
        method: 'initialize',
        params: { protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'toolscope-bench-load', version: '0.1.0' } },
      }),
    });
    const answer = jsonRpcMessage(await init.body.text(), init.statusCode);
    const sessionId = init.headers['mcp-session-id'];
    if (typeof sessionId !== 'string') throw new Error(`initialize answered without an mcp-session-id header (HTTP ${init.statusCode})`);
    const version = (answer.result as { protocolVersion?: string } | undefined)?.protocolVersion ?? LATEST_PROTOCOL_VERSION;
    const session = new RawMcpSession(pool, url.pathname, { ...base, 'mcp-session-id': sessionId, 'mcp-protocol-version': version });
    const initialized = await pool.request({
      method: 'POST',
      path: url.pathname,
      headers: session.headers,
      body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
    });
    await initialized.body.dump();
    if (initialized.statusCode >= 300) throw new Error(`notifications/initialized answered HTTP ${initialized.statusCode}`);
    return session;
  }

  /** One tools/call; throws on an HTTP, JSON-RPC or tool error. */
  async callTool(name: string, args: Record<string, unknown>): Promise<void> {
    const response = await this.pool.request({
      method: 'POST',
      path: this.path,
      headers: this.headers,
      body: JSON.stringify({ jsonrpc: '2.0', id: this.nextId++, method: 'tools/call', params: { name, arguments: args } }),
    });
    const message = jsonRpcMessage(await response.body.text(), response.statusCode);
    const result = message.result as { isError?: boolean; content?: Array<{ text?: string }> } | undefined;
    if (result?.isError) throw new Error(`${name} answered with an error: ${result.content?.map((part) => part.text).join(' ')}`);
  }

  /** Ends the session on the server (DELETE), as a well-behaved client does. */
  async close(): Promise<void> {
    const response = await this.pool.request({ method: 'DELETE', path: this.path, headers: this.headers });
    await response.body.dump();
  }
}

/**
 * The JSON-RPC response in a body sent as JSON or as server-sent events (`data:` lines). An event with empty data is
 * the priming event a resumable stream starts with (an event id to resume from), not a message.
 */
function jsonRpcMessage(body: string, status: number): { result?: unknown; error?: { message?: string } } {
  const json = body.trimStart().startsWith('{')
    ? body
    : body
        .split('\n')
        .map((line) => (line.startsWith('data:') ? line.slice(5).trim() : ''))
        .find((data) => data !== '');
  if (status >= 300 || json === undefined) throw new Error(`HTTP ${status}: ${body.slice(0, 300)}`);
  const message = JSON.parse(json) as { result?: unknown; error?: { message?: string } };
  if (message.error) throw new Error(`JSON-RPC error: ${message.error.message ?? JSON.stringify(message.error)}`);
  return message;
}
