import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Gateway } from '../gateway.js';
import type { Principal } from '../pipeline/call-context.js';
import { HttpError } from './http-util.js';

/**
 * Who is calling over HTTP. With principals configured, the `Authorization: Bearer <token>` header must name one
 * (else 401 with a JSON-RPC error body, and nothing else happens); with none anywhere, toolscope runs open on
 * loopback and every caller is the gateway's local principal. The header is read here and goes nowhere else:
 * downstream servers get only the headers of their own config.
 */
export async function authenticateRequest(gateway: Gateway, req: IncomingMessage, res: ServerResponse): Promise<Principal> {
  const principals = gateway.policy.principals;
  if (!(await principals.enforced())) return gateway.principal;
  const token = bearerToken(req.headers.authorization);
  const name = token === undefined ? undefined : await principals.authenticate(token);
  if (name === undefined) {
    res.setHeader('www-authenticate', 'Bearer realm="toolscope"');
    throw new HttpError(401, -32001, token === undefined ? 'unauthorized: a bearer token is required' : 'unauthorized: unknown or revoked token');
  }
  return { name };
}

/** Like `authenticateRequest`, and the principal must be marked `admin` in the config. */
export async function authenticateAdmin(gateway: Gateway, req: IncomingMessage, res: ServerResponse): Promise<Principal> {
  if (!(await gateway.policy.principals.enforced())) {
    throw new HttpError(403, -32001, 'forbidden: admin endpoints need principals, one of them with "admin": true');
  }
  const principal = await authenticateRequest(gateway, req, res);
  if (!gateway.policy.principals.get(principal.name)?.admin) {
    throw new HttpError(403, -32001, `forbidden: principal ${principal.name} is not an admin`);
  }
  return principal;
}

/** Like `authenticateRequest`, and the principal must be marked `admin` or `approver` in the config. */
export async function authenticateApprover(gateway: Gateway, req: IncomingMessage, res: ServerResponse): Promise<Principal> {
  if (!(await gateway.policy.principals.enforced())) {
    throw new HttpError(403, -32001, 'forbidden: the approval endpoints need principals, one of them with "approver": true or "admin": true');
  }
  const principal = await authenticateRequest(gateway, req, res);
  const rules = gateway.policy.principals.get(principal.name);
  if (!rules?.admin && !rules?.approver) {
    throw new HttpError(403, -32001, `forbidden: principal ${principal.name} is neither an approver nor an admin`);
  }
  return principal;
}

function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}
