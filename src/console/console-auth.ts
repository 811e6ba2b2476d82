import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Gateway } from '../gateway.js';
import type { Principal } from '../policy/auth/principal.js';
import { authenticateAdmin } from '../server/http-auth.js';
import { HttpError } from '../server/http-util.js';

/**
 * Sent by the console page with every API request. A page of another site cannot add a custom header to a
 * cross-origin request without a CORS preflight, which toolscope never grants: with the same-origin check below it
 * keeps other pages (another port of localhost included) from acting through a console user's browser, also in
 * open mode, where no token stands in their way.
 */
export const CONSOLE_HEADER = 'x-toolscope-console';

/**
 * Who is using the console. With principals configured: an admin principal, by bearer token (the page keeps it in
 * sessionStorage and sends it in the Authorization header; no cookie, so a browser never sends it on its own).
 * With none anywhere: the gateway's local principal, as on `/mcp`; the HTTP guard already limits that to loopback.
 */
export async function authenticateConsole(gateway: Gateway, req: IncomingMessage, res: ServerResponse): Promise<Principal> {
  const refusal = crossSiteRefusal(req);
  if (refusal) throw new HttpError(403, -32001, `forbidden: ${refusal}`);
  if (!(await gateway.policy.principals.enforced())) return gateway.principal;
  return authenticateAdmin(gateway, req, res);
}

/** Why a request cannot come from the console page itself, or undefined. */
function crossSiteRefusal(req: IncomingMessage): string | undefined {
  if (req.headers[CONSOLE_HEADER] !== '1') return `console API requests carry the ${CONSOLE_HEADER} header (the console page sends it)`;
  const origin = req.headers.origin;
  if (origin === undefined) return undefined;
  let originHost: string | undefined;
  try {
    originHost = new URL(origin).host;
  } catch {
    originHost = undefined;
  }
  return originHost === req.headers.host ? undefined : `Origin "${origin}" is not this server's own`;
}
