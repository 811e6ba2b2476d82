import type { Approvals } from '../../policy/approval/approvals.js';
import type { CallStage } from '../call-context.js';
import { CallRefused, failClosed, WaitCancelled } from '../refusal.js';
import { recheckAfterWait, type ArgumentCheck } from './validate.js';

/**
 * Holds calls that `approval.required` names until a person approves them: by elicitation, or the queue. An approved
 * call's arguments pass `recheck` (the validate stage's check) again before it goes on: the wait may be minutes, and a
 * path checked before it may lead elsewhere after it. A call cancelled while it waits (by its client, or toolscope's
 * stop) ends as `cancelled`, not as a denial: `Approvals.obtain` throws WaitCancelled.
 */
export function approveStage(approvals: Approvals, recheck: ArgumentCheck): CallStage {
  return {
    name: 'approve',
    async handle(ctx, next) {
      const rule = approvals.requiredBy(ctx.tool);
      if (!rule) {
        ctx.decisions.push({ stage: 'approve', outcome: 'pass', reason: 'no approval required' });
        return next();
      }
      // The queue lives in the shared state: out of reach, the call is refused (never approved by default).
      const answer = await failClosed('approve', () => approvals.obtain(ctx, rule)).catch((error: unknown) => {
        if (error instanceof WaitCancelled) ctx.decisions.push({ stage: 'approve', outcome: 'cancelled', reason: error.decision });
        else if (error instanceof CallRefused) ctx.decisions.push({ stage: 'approve', outcome: 'deny', reason: error.reason });
        throw error;
      });
      const how = `${answer.approved ? 'approved' : 'denied'} by ${answer.by} via ${answer.via}${answer.id ? ` ${answer.id}` : ''}`;
      const reason = answer.note ? `${how}; ${answer.note}` : how;
      const credential = answer.credential && { credential: answer.credential };
      if (!answer.approved) {
        ctx.decisions.push({ stage: 'approve', outcome: 'deny', reason, ...credential });
        throw new CallRefused('approve', `the call was not approved (${how})`, { rule });
      }
      ctx.decisions.push({ stage: 'approve', outcome: 'pass', reason, ...credential });
      await recheckAfterWait(ctx, recheck);
      return next();
    },
  };
}
