import { z } from 'zod';
import type { Gateway } from '../gateway.js';
import { authenticateAdmin } from './http-auth.js';
import type { HttpRoute } from './http.js';
import { HttpError, readJsonBody, sendJson } from './http-util.js';

const decisionBody = z.object({
  id: z.string().min(1),
  decision: z.enum(['approve', 'deny']),
});

/**
 * The admin side of the approval queue over HTTP, for admin principals only:
 * `GET /v1/approvals` lists waiting calls; `POST /v1/approvals` with `{"id": "...", "decision": "approve"|"deny"}`
 * answers one. Same queue as `toolscope approvals`, so either may answer.
 */
export function approvalRoutes(gateway: Gateway): HttpRoute[] {
  const queue = gateway.policy.approvalQueue;
  return [
    {
      method: 'GET',
      path: '/v1/approvals',
      async handle(req, res) {
        await authenticateAdmin(gateway, req, res);
        sendJson(res, 200, { approvals: await queue.pending() });
      },
    },
    {
      method: 'POST',
      path: '/v1/approvals',
      async handle(req, res) {
        const admin = await authenticateAdmin(gateway, req, res);
        const parsed = decisionBody.safeParse(await readJsonBody(req));
        if (!parsed.success) {
          throw new HttpError(400, -32602, 'expected {"id": "<approval id>", "decision": "approve" | "deny"}');
        }
        const { id, decision } = parsed.data;
        const result = await queue.decide(id, decision === 'approve', `http:${admin.name}`);
        if (result === 'unknown') throw new HttpError(404, -32602, `no waiting call with id ${id}`);
        if (result !== 'decided') throw new HttpError(409, -32602, `call ${id} was already answered or timed out`);
        sendJson(res, 200, { id, decision });
      },
    },
  ];
}
