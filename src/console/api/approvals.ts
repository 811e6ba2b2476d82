import type { Gateway } from '../../gateway.js';
import { answerApproval } from '../../server/approval-routes.js';
import type { HttpRoute } from '../../server/http.js';
import { auditAction, consoleApi } from '../console-api.js';

/**
 * `GET approvals`: calls waiting for a human; `POST approvals` with `{"id", "decision": "approve" | "deny"}`
 * answers one through the same queue as `toolscope approvals` and `/v1/approvals` (the first answer wins). The
 * call's own audit record names the answer's author (`console:<user>`); the action is audited as well.
 */
export function approvalRoutes(gateway: Gateway): HttpRoute[] {
  const queue = gateway.policy.approvalQueue;
  return [
    consoleApi(gateway, 'GET', 'approvals', async () => ({ approvals: await queue.pending() })),
    consoleApi(gateway, 'POST', 'approvals', async ({ user, body }) => {
      const answerBody = await body();
      // Read before answering: the waiting call removes its request once it has the answer.
      const id = (answerBody as { id?: unknown } | null)?.id;
      const request = typeof id === 'string' ? await queue.request(id) : undefined;
      const answer = await answerApproval(gateway, answerBody, user, `console:${user.name}`);
      await auditAction(gateway, user, `${answer.decision}-call`, { approvalId: answer.id, ...(request && { callId: request.callId, tool: request.tool }) });
      return answer;
    }),
  ];
}
