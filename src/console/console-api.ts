import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Gateway } from '../gateway.js';
import type { Principal } from '../policy/auth/principal.js';
import type { HttpRoute } from '../server/http.js';
import { HttpError, readJsonBody } from '../server/http-util.js';
import { authenticateConsole } from './console-auth.js';

export const CONSOLE_PATH = '/console';
export const CONSOLE_API_PATH = `${CONSOLE_PATH}/api`;

/** One console API request, its user authenticated. */
export interface ConsoleRequest {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly user: Principal;
  readonly query: URLSearchParams;
  /** The JSON body (POST). */
  body(): Promise<unknown>;
}

/** Answers nobody may cache or frame; the console's data is for the person who asked. */
export const PRIVATE_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
} as const;

/** A JSON route under `/console/api/`: authenticated (see console-auth.ts), answered with what `handler` returns. */
export function consoleApi(
  gateway: Gateway,
  method: 'GET' | 'POST',
  name: string,
  handler: (request: ConsoleRequest) => Promise<unknown>,
): HttpRoute {
  return {
    method,
    path: `${CONSOLE_API_PATH}/${name}`,
    async handle(req, res) {
      const user = await authenticateConsole(gateway, req, res);
      const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
      const result = await handler({ req, res, user, query, body: () => readJsonBody(req) });
      res.writeHead(200, { 'content-type': 'application/json', ...PRIVATE_HEADERS });
      res.end(JSON.stringify(result));
    },
  };
}

/**
 * Records what a console user changed, next to the calls and quarantine events: who, what, on what. Resolves once
 * the record is as durable as the audit config says, before the action is answered (as a call is).
 */
export async function auditAction(gateway: Gateway, user: Principal, action: string, fields: Record<string, unknown>): Promise<void> {
  await gateway.policy.audit?.recordEvent('console-action', { principal: user.name, action, ...fields }, user.credential);
}

/** A body field check's failure as a 400 naming the field. */
export function badRequest(message: string): HttpError {
  return new HttpError(400, -32602, message);
}
