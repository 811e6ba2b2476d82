import { z } from 'zod';
import type { Gateway } from '../gateway.js';
import type { ApprovalQueue } from '../state/approval-queue.js';
import { authenticateAdmin } from './http-auth.js';
import type { HttpRoute } from './http.js';
import { HttpError, readJsonBody, sendJson } from './http-util.js';

const decisionBody = z.object({
  id: z.string().min(1),
  decision: z.enum(['approve', 'deny']),
});

export type ApprovalAnswer = z.infer<typeof decisionBody>;

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
        const answer = await answerApproval(queue, await readJsonBody(req), `http:${admin.name}`);
        sendJson(res, 200, answer);
      },
    },
  ];
}

/** Answers a waiting call from an HTTP body (the admin endpoint's, the console's); refusals as HTTP errors. */
export async function answerApproval(queue: ApprovalQueue, body: unknown, by: string): Promise<ApprovalAnswer> {
  const parsed = decisionBody.safeParse(body);
  if (!parsed.success) {
    throw new HttpError(400, -32602, 'expected {"id": "<approval id>", "decision": "approve" | "deny"}');
  }
  const { id, decision } = parsed.data;
  const result = await queue.decide(id, decision === 'approve', by);
  if (result === 'unknown') throw new HttpError(404, -32602, `no waiting call with id ${id}`);
  if (result !== 'decided') throw new HttpError(409, -32602, `call ${id} was already answered or timed out`);
  return { id, decision };
}
