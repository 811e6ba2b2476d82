import { z } from 'zod';
import type { Gateway } from '../gateway.js';
import type { Principal } from '../policy/auth/principal.js';
import { orphanedAnswer, type ApprovalQueue } from '../state/approval-queue.js';
import { authenticateApprover } from './http-auth.js';
import type { HttpRoute } from './http.js';
import { HttpError, readJsonBody, sendJson } from './http-util.js';

const decisionBody = z.object({
  id: z.string().min(1),
  decision: z.enum(['approve', 'deny']),
});

export type ApprovalAnswer = z.infer<typeof decisionBody>;

/**
 * The approver's side of the approval queue over HTTP, for approver and admin principals only (never for the
 * principal whose call it is, unless `approval.humanApprovers` names it):
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
        await authenticateApprover(gateway, req, res);
        sendJson(res, 200, { approvals: await queue.pending() });
      },
    },
    {
      method: 'POST',
      path: '/v1/approvals',
      async handle(req, res) {
        const approver = await authenticateApprover(gateway, req, res);
        const answer = await answerApproval(gateway, await readJsonBody(req), approver, `http:${approver.name}`);
        sendJson(res, 200, answer);
      },
    },
  ];
}

/**
 * Answers a waiting call from an HTTP body (the approval endpoint's, the console's) for `answerer`; refusals as HTTP
 * errors. Once principals exist, nobody answers a call of their own principal (unless `approval.humanApprovers`
 * names it): a script holding a token must not approve what it asked for. A token the caller minted in the console
 * counts as the caller's own, so an admin cannot approve its calls with a token it made for an approver.
 */
export async function answerApproval(gateway: Gateway, body: unknown, answerer: Principal, by: string): Promise<ApprovalAnswer> {
  const queue = gateway.policy.approvalQueue;
  const parsed = decisionBody.safeParse(body);
  if (!parsed.success) {
    throw new HttpError(400, -32602, 'expected {"id": "<approval id>", "decision": "approve" | "deny"}');
  }
  const { id, decision } = parsed.data;
  const request = await queue.request(id);
  const caller = request?.principal;
  const ownCall = caller !== undefined && caller !== null && !gateway.policy.approvals.isHumanApprover(caller) && [answerer.name, answerer.mintedBy].includes(caller);
  if (ownCall && (await gateway.policy.principals.enforced())) {
    const whose = caller === answerer.name ? answerer.name : `${answerer.name} with a token ${caller} minted`;
    throw new HttpError(403, -32001, `forbidden: approval ${id} is for a call ${caller} made; ${whose} may not answer it`);
  }
  const result = await queue.decide(id, decision === 'approve', by, answerer.credential);
  if (result === 'unknown') throw new HttpError(404, -32602, `no waiting call with id ${id}`);
  if (result === 'orphaned') throw new HttpError(409, -32602, orphanedAnswer(id, request));
  if (result !== 'decided') throw new HttpError(409, -32602, `call ${id} was already answered or timed out`);
  return { id, decision };
}

