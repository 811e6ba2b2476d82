import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest, isJSONRPCRequest } from '@modelcontextprotocol/sdk/types.js';
import type { LimitsConfig } from '../config/limits.js';
import type { Gateway } from '../gateway.js';
import { STOPPING } from '../pipeline/in-flight.js';
import type { Principal } from '../policy/auth/principal.js';
import { SessionEventStore, type ReplayLimits } from './event-store.js';
import { authenticateRequest } from './http-auth.js';
import { HttpError, readJsonBody } from './http-util.js';
import { SessionRegistry } from './session-registry.js';
import type { SessionStore } from '../state/session-store.js';

/** What a request that would start something new is answered while toolscope stops. */
export function stoppingRefusal(): HttpError {
  return new HttpError(503, -32000, `${STOPPING}: it takes no new sessions or requests; retry once it is back`);
}

/**
 * Whether a request would start something: a session, a stream, or a JSON-RPC request. While toolscope stops, a
 * session may still send what a call in flight waits for (a response to its elicitation or sampling request), cancel
 * (a notification) and end itself (DELETE).
 */
function startsSomething(req: IncomingMessage, body: unknown, sessionId: string | string[] | undefined): boolean {
  if (req.method === 'DELETE') return false;
  if (req.method !== 'POST' || typeof sessionId !== 'string') return true;
  return (Array.isArray(body) ? body : [body]).some((message) => isJSONRPCRequest(message));
}

interface HttpSession {
  readonly transport: StreamableHTTPServerTransport;
  readonly server: Server;
  /** What the session's streams carried, for clients that reconnect with `Last-Event-ID`. */
  readonly events: SessionEventStore;
  /** Who opened the session; every later request must authenticate as the same principal. */
  readonly principal: Principal;
}

/**
 * Streamable HTTP at `/mcp`: one transport and one MCP `Server` per client session (`mcp-session-id`), within
 * `limits`: request body size, number of sessions, idle time. Each session's streams are resumable: a client that
 * lost one reconnects with `Last-Event-ID` and is sent what it missed, from a bounded store freed with the session.
 * With shared state (Redis) every session is recorded there too, and a request of a session opened on another
 * replica is served here as a request that needs no session (see `serveShared`).
 */
export class McpEndpoint {
  private readonly sessions: SessionRegistry<HttpSession>;
  private readonly shared: SessionStore | undefined;
  private readonly replayLimits: ReplayLimits;
  /** When each local session's shared record was last kept alive. */
  private readonly sharedTouched = new Map<string, number>();

  constructor(private readonly gateway: Gateway) {
    const { maxReplayEvents, maxReplayBytes } = gateway.loaded.config.limits;
    this.replayLimits = { maxEvents: maxReplayEvents, maxBytes: maxReplayBytes };
    this.shared = gateway.state.sessions;
    const limits = () => this.limits;
    this.sessions = new SessionRegistry(
      {
        get maxSessions() {
          return limits().maxSessions;
        },
        get maxSessionsPerPrincipal() {
          return limits().maxSessionsPerPrincipal;
        },
        get idleMs() {
          return limits().sessionIdleMs;
        },
      },
      (id, session) => {
        gateway.logger.info({ session: id, idleMs: this.limits.sessionIdleMs }, 'closing an idle HTTP session');
        // Only this replica's copy: the client may be busy on other replicas, which keep the shared record alive.
        this.forget(id);
        void session.server.close();
      },
      // The client's answer arrives as a request and starts a fresh idle period.
      (id, session) => void session.server.ping().catch((error: unknown) => gateway.logger.debug({ err: error, session: id }, 'heartbeat unanswered')),
    );
    // A client that ended its session on another replica: its transport here goes too.
    this.shared?.onRemoved((id) => void this.sessions.get(id)?.server.close()).catch((error: unknown) => {
      gateway.logger.warn({ err: error }, 'cannot follow sessions closed on other replicas');
    });
  }

  /** Read when used, so an edit of `limits` while serving counts from the next session, request or idle period. */
  private get limits(): LimitsConfig {
    return this.gateway.loaded.config.limits;
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const principal = await authenticateRequest(this.gateway, req, res);
    const body = req.method === 'POST' ? await readJsonBody(req, this.limits.maxRequestBytes) : undefined;
    const sessionId = req.headers['mcp-session-id'];
    if (this.gateway.stopping && startsSomething(req, body, sessionId)) throw stoppingRefusal();
    if (typeof sessionId === 'string') {
      const session = this.sessions.get(sessionId);
      if (!session) {
        await this.serveShared(req, res, body, sessionId, principal);
        return;
      }
      if (session.principal.name !== principal.name) throw new HttpError(403, -32001, `session ${sessionId} belongs to another principal`);
      if (req.method === 'GET') this.checkResumable(req, session.events);
      this.sessions.busyUntilClosed(sessionId, res, req.method === 'GET' ? 'stream' : 'request');
      this.keepShared(sessionId);
      await session.transport.handleRequest(req, res, body);
      if (req.method === 'DELETE') await this.shared?.remove(sessionId);
      return;
    }
    if (!isInitializeRequest(body)) {
      throw new HttpError(400, -32000, 'no mcp-session-id header: the first request of a session must be initialize');
    }
    await this.open(req, res, body, principal);
  }

  /**
   * A request of a session this replica does not hold: with shared state, one opened on another replica (or here,
   * before this replica dropped its idle copy). It is served by a fresh MCP server and a transport in stateless
   * mode: the principal is the session's, nothing else of it is needed for listing, searching and calling tools.
   * What stays with the replica that opened the session: its GET stream (server notifications), resumption, and requests
   * relayed to the client mid-call (elicitation, sampling, roots), which the client answers on that stream.
   */
  private async serveShared(req: IncomingMessage, res: ServerResponse, body: unknown, id: string, principal: Principal): Promise<void> {
    const record = this.shared && (await this.shared.touch(id, this.limits.sessionIdleMs));
    if (!record) {
      throw new HttpError(404, -32001, `session ${id} not found (expired or closed): start a new one with an initialize request without Mcp-Session-Id`);
    }
    if (record.principal !== principal.name) throw new HttpError(403, -32001, `session ${id} belongs to another principal`);
    if (req.method === 'DELETE') {
      await this.shared!.remove(id);
      res.writeHead(200).end();
      return;
    }
    if (req.method === 'GET') {
      res.setHeader('allow', 'POST, DELETE');
      throw new HttpError(405, -32000, `session ${id} was opened on replica ${record.replica}: its notification stream is served there only`);
    }
    const server = this.gateway.createSession(principal);
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.once('close', () => void server.close());
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
  }

  /** A reconnecting client's `Last-Event-ID` must be an event this session still holds, or it would miss events silently. */
  private checkResumable(req: IncomingMessage, events: SessionEventStore): void {
    const lastEventId = req.headers['last-event-id'];
    if (typeof lastEventId !== 'string' || events.holds(lastEventId)) return;
    const shown = lastEventId.length > 80 ? `${lastEventId.slice(0, 80)}…` : lastEventId;
    throw new HttpError(
      400,
      -32000,
      `Last-Event-ID "${shown}" cannot be resumed: not an event of this session, or dropped past limits.maxReplayEvents (${this.replayLimits.maxEvents}) or limits.maxReplayBytes (${this.replayLimits.maxBytes})`,
    );
  }

  /** Keeps a local session's shared record from expiring while the client uses this replica (a write per third of the idle time). */
  private keepShared(id: string): void {
    if (!this.shared) return;
    const now = Date.now();
    if (now - (this.sharedTouched.get(id) ?? 0) < this.limits.sessionIdleMs / 3) return;
    this.sharedTouched.set(id, now);
    this.shared.touch(id, this.limits.sessionIdleMs).catch((error: unknown) => this.gateway.logger.debug({ err: error, session: id }, 'session not kept alive in the shared state'));
  }

  private forget(id: string): void {
    this.sessions.delete(id);
    this.sharedTouched.delete(id);
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
    const events = new SessionEventStore(this.replayLimits);
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      eventStore: events,
      onsessioninitialized: async (id) => {
        this.sessions.add(id, { transport, server, principal, events }, principal.name);
        this.sessions.busyUntilClosed(id, res);
        release();
        this.sharedTouched.set(id, Date.now());
        await this.shared?.save(id, { principal: principal.name, replica: this.gateway.state.replica, openedAt: new Date().toISOString() }, this.limits.sessionIdleMs);
      },
    });
    transport.onclose = () => {
      events.clear();
      if (transport.sessionId) this.forget(transport.sessionId);
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
