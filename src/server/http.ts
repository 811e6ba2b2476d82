import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { consoleRoutes } from '../console/routes.js';
import type { Gateway } from '../gateway.js';
import { InFlight } from '../pipeline/in-flight.js';
import { approvalRoutes } from './approval-routes.js';
import { healthRoutes } from './health-routes.js';
import { HttpError, sendJsonRpcError } from './http-util.js';
import { isLoopbackHost, rebindingRefusal, type ListenAddress } from './loopback.js';
import { McpEndpoint, stoppingRefusal } from './mcp-endpoint.js';
import { metricsRoutes } from './metrics-routes.js';
import { protectedResourceRoutes } from './protected-resource.js';
import { routeApi } from './route-api.js';
import { StateUnavailableError } from '../state/unavailable.js';

export interface HttpRoute {
  readonly method: 'GET' | 'POST' | 'DELETE';
  readonly path: string;
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

export interface RunningHttpServer {
  /** The MCP endpoint, with the port actually bound. */
  readonly url: string;
  /** Closes the sessions and the listener, once the answers being written are out (bounded). */
  close(): Promise<void>;
}

const KEEP_ALIVE_TIMEOUT_MS = 65_000;

/** How long a closing server waits for answers still being written (a call's result on its stream) before it cuts them. */
const ANSWERS_OUT_MS = 2_000;

const MCP_PATH = '/mcp';

/** Every HTTP route toolscope serves; later features (router API, admin endpoints) add theirs here. */
function routes(gateway: Gateway, mcp: McpEndpoint): HttpRoute[] {
  const handle = (req: IncomingMessage, res: ServerResponse) => mcp.handle(req, res);
  return [
    { method: 'POST', path: MCP_PATH, handle },
    { method: 'GET', path: MCP_PATH, handle },
    { method: 'DELETE', path: MCP_PATH, handle },
    ...approvalRoutes(gateway),
    routeApi(gateway),
    ...consoleRoutes(gateway),
    ...healthRoutes(gateway),
    ...metricsRoutes(gateway),
    ...protectedResourceRoutes(gateway),
  ];
}

export interface ServeHttpOptions {
  /**
   * Requests wait for this before they are handled: the address is claimed (a port in use fails at once) before the
   * gateway starts its servers, and nothing is served until it has.
   */
  readonly ready?: Promise<void>;
}

/** Serves the gateway over Streamable HTTP on the address the caller checked (loopback, or any with authentication). */
export async function serveHttp(gateway: Gateway, address: ListenAddress, options: ServeHttpOptions = {}): Promise<RunningHttpServer> {
  const mcp = new McpEndpoint(gateway);
  const table = routes(gateway, mcp);
  const hostGuard = isLoopbackHost(address.host) ? loopbackGuard : networkGuard(gateway);
  const stopGuard = stoppingGuard(gateway);
  const guard: RequestGuard = async (req, path) => {
    await hostGuard(req, path);
    await stopGuard(req, path);
  };
  const ready = options.ready ?? Promise.resolve();
  const answering = new InFlight<ServerResponse>();
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (carriesAnswers(req, path)) {
      answering.add(res);
      res.once('close', () => answering.delete(res));
    }
    ready.then(() => dispatch(table, req, path, res, guard)).catch((error: unknown) => {
      // Refused before its body was read (too big, unauthenticated): the rest of it must not be read as the next request.
      // While stopping, the client is not to reuse the connection either.
      if ((!req.complete || gateway.stopping) && !res.headersSent) res.setHeader('connection', 'close');
      if (error instanceof HttpError) {
        sendJsonRpcError(res, error.status, error.rpcCode, error.message);
        return;
      }
      // Shared state out of reach: refused (fail closed), saying why; the client may retry shortly.
      if (error instanceof StateUnavailableError) {
        if (!res.headersSent) res.setHeader('retry-after', '1');
        sendJsonRpcError(res, 503, -32000, error.message);
        return;
      }
      gateway.logger.error({ err: error, path: req.url }, 'HTTP request failed');
      sendJsonRpcError(res, 500, -32603, 'internal error');
    });
  });
  // Node closes an idle keep-alive socket after 5 s by default, racing clients (undici's fetch among them) that reuse
  // a pooled socket just then: their request dies with ECONNRESET. Keep idle sockets longer than clients keep them
  // (undici: 4 s; load balancers commonly 60 s), and the header timeout above it, as Node requires.
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 1_000;
  await new Promise<void>((resolve, reject) => {
    const refused = (error: NodeJS.ErrnoException) => reject(listenError(error, address));
    server.once('error', refused);
    server.listen(address.port, address.host, () => {
      server.off('error', refused);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = address.host.includes(':') ? `[${address.host}]` : address.host;
  return {
    url: `http://${host}:${port}/mcp`,
    async close() {
      await answering.ended(ANSWERS_OUT_MS);
      await mcp.closeAll();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A bind failure the admin can act on. */
function listenError(error: NodeJS.ErrnoException, address: ListenAddress): Error {
  const where = `${address.host}:${address.port}`;
  if (error.code === 'EADDRINUSE') return new Error(`cannot listen on ${where}: the address is already in use (another toolscope serve?); choose another port with --http HOST:PORT`);
  if (error.code === 'EACCES') return new Error(`cannot listen on ${where}: permission denied (ports below 1024 need privileges)`);
  if (error.code === 'EADDRNOTAVAIL') return new Error(`cannot listen on ${where}: no network interface has this address`);
  return error;
}

/** Refuses a request (throws) before its route sees it; `path` is its URL's path. */
type RequestGuard = (req: IncomingMessage, path: string) => Promise<void>;

/**
 * An MCP request whose response carries answers (a call's result on its stream) that a stop lets go out. Not a
 * client's standing GET stream, open for as long as its session, nor the console's event stream.
 */
function carriesAnswers(req: IncomingMessage, path: string): boolean {
  return req.method !== 'GET' && path === MCP_PATH;
}

/**
 * While toolscope stops, every route but `/mcp` (which lets a session answer what a call in flight asked it, see
 * McpEndpoint) refuses: readiness probes, the console and the approval API included.
 */
function stoppingGuard(gateway: Gateway): RequestGuard {
  return async (_req, path) => {
    if (gateway.stopping && path !== MCP_PATH) throw stoppingRefusal();
  };
}

/** On a loopback bind: the DNS-rebinding check (Host and Origin must be loopback). */
const loopbackGuard: RequestGuard = async (req) => {
  const refusal = rebindingRefusal({ host: req.headers.host, origin: req.headers.origin });
  if (refusal) throw new HttpError(403, -32000, `forbidden: ${refusal}`);
};

/**
 * On a network bind (allowed only with authentication) clients use real host names and the bearer token, which a
 * foreign web page cannot supply, is the defence. Should the last principal and token go while serving, nobody is
 * served rather than everybody.
 */
export function networkGuard(gateway: Gateway): RequestGuard {
  return async () => {
    if (!(await gateway.policy.principals.enforced())) {
      throw new HttpError(403, -32001, 'forbidden: bound to a network address, but no principals exist to authenticate callers');
    }
  };
}

async function dispatch(table: readonly HttpRoute[], req: IncomingMessage, path: string, res: ServerResponse, guard: RequestGuard): Promise<void> {
  await guard(req, path);
  const atPath = table.filter((route) => route.path === path);
  if (atPath.length === 0) throw new HttpError(404, -32601, `no route for ${path} (toolscope serves ${entryPoints(table)})`);
  const route = atPath.find((candidate) => candidate.method === req.method);
  if (!route) {
    res.setHeader('allow', atPath.map((candidate) => candidate.method).join(', '));
    throw new HttpError(405, -32601, `${req.method} is not allowed on ${path}`);
  }
  await route.handle(req, res);
}

/** The paths a person or client starts from: the console (its page, files and API) counts as one, `/console/`. */
function entryPoints(table: readonly HttpRoute[]): string {
  const paths = new Set(table.map((route) => (route.path.startsWith('/console') ? '/console/' : route.path)));
  return [...paths].join(', ');
}
