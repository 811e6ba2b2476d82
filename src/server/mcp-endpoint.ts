import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import type { Gateway } from '../gateway.js';
import { HttpError, readJsonBody } from './http-util.js';

interface HttpSession {
  readonly transport: StreamableHTTPServerTransport;
  readonly server: Server;
}

/** Streamable HTTP at `/mcp`: one transport and one MCP `Server` per client session (`mcp-session-id`). */
export class McpEndpoint {
  private readonly sessions = new Map<string, HttpSession>();

  constructor(private readonly gateway: Gateway) {}

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = req.method === 'POST' ? await readJsonBody(req) : undefined;
    const sessionId = req.headers['mcp-session-id'];
    if (typeof sessionId === 'string') {
      const session = this.sessions.get(sessionId);
      if (!session) throw new HttpError(404, -32001, `session ${sessionId} not found (expired or closed)`);
      await session.transport.handleRequest(req, res, body);
      return;
    }
    if (!isInitializeRequest(body)) {
      throw new HttpError(400, -32000, 'no mcp-session-id header: the first request of a session must be initialize');
    }
    await this.open(req, res, body);
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.sessions.values()].map((session) => session.server.close()));
    this.sessions.clear();
  }

  private async open(req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> {
    const server = this.gateway.createSession();
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        this.sessions.set(id, { transport, server });
      },
    });
    transport.onclose = () => {
      if (transport.sessionId) this.sessions.delete(transport.sessionId);
    };
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
  }
}
