import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import type { Gateway } from '../gateway.js';
import type { Principal } from '../pipeline/call-context.js';
import { authenticateRequest } from './http-auth.js';
import { HttpError, readJsonBody } from './http-util.js';
import { SessionRegistry } from './session-registry.js';

interface HttpSession {
  readonly transport: StreamableHTTPServerTransport;
  readonly server: Server;
  /** Who opened the session; every later request must authenticate as the same principal. */
  readonly principal: Principal;
}

/**
 * Streamable HTTP at `/mcp`: one transport and one MCP `Server` per client session (`mcp-session-id`), within
 * `limits`: request body size, number of sessions, idle time.
 */
export class McpEndpoint {
  private readonly sessions: SessionRegistry<HttpSession>;
  private readonly maxRequestBytes: number;

  constructor(private readonly gateway: Gateway) {
    const { maxSessions, maxSessionsPerPrincipal, sessionIdleMs, maxRequestBytes } = gateway.loaded.config.limits;
    this.maxRequestBytes = maxRequestBytes;
    this.sessions = new SessionRegistry(
      { maxSessions, maxSessionsPerPrincipal, idleMs: sessionIdleMs },
      (id, session) => {
        gateway.logger.info({ session: id, idleMs: sessionIdleMs }, 'closing an idle HTTP session');
        this.sessions.delete(id);
        void session.server.close();
      },
      // The client's answer arrives as a request and starts a fresh idle period.
      (id, session) => void session.server.ping().catch((error: unknown) => gateway.logger.debug({ err: error, session: id }, 'heartbeat unanswered')),
    );
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const principal = await authenticateRequest(this.gateway, req, res);
    const body = req.method === 'POST' ? await readJsonBody(req, this.maxRequestBytes) : undefined;
    const sessionId = req.headers['mcp-session-id'];
    if (typeof sessionId === 'string') {
      const session = this.sessions.get(sessionId);
      if (!session) throw new HttpError(404, -32001, `session ${sessionId} not found (expired or closed)`);
      if (session.principal.name !== principal.name) throw new HttpError(403, -32001, `session ${sessionId} belongs to another principal`);
      this.sessions.busyUntilClosed(sessionId, res, req.method === 'GET' ? 'stream' : 'request');
      await session.transport.handleRequest(req, res, body);
      return;
    }
    if (!isInitializeRequest(body)) {
      throw new HttpError(400, -32000, 'no mcp-session-id header: the first request of a session must be initialize');
    }
    await this.open(req, res, body, principal);
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.sessions.clear().map((session) => session.server.close()));
  }

  private async open(req: IncomingMessage, res: ServerResponse, body: unknown, principal: Principal): Promise<void> {
    // In open mode every caller is the one local principal: only the overall bound applies.
    const release = this.sessions.reserve(principal.name, await this.gateway.policy.principals.enforced());
    const server = this.gateway.createSession(principal);
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        this.sessions.add(id, { transport, server, principal }, principal.name);
        this.sessions.busyUntilClosed(id, res);
        release();
      },
    });
    transport.onclose = () => {
      if (transport.sessionId) this.sessions.delete(transport.sessionId);
    };
    try {
      await server.connect(transport);
      await transport.handleRequest(req, res, body);
    } finally {
      release();
      // An initialize the transport refused leaves a session nobody can reach.
      if (transport.sessionId === undefined) void server.close();
    }
  }
}
