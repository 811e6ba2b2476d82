import type { AuditTrail } from '../../policy/audit/audit-trail.js';
import { returnedOutcome, type CallStage } from '../call-context.js';
import { CallRefused, WaitCancelled } from '../refusal.js';
import { errorMessage } from '../../error-message.js';

/**
 * Wraps every other stage: whatever happens to the call (answered, refused, cancelled, failed), one audit line records it,
 * and the caller gets its answer only after that line is on disk.
 */
export function auditStage(trail: AuditTrail): CallStage {
  return {
    name: 'audit',
    async handle(ctx, next) {
      const received = structuredClone(ctx.arguments);
      try {
        const result = await next();
        await trail.recordCall(ctx, received, { outcome: returnedOutcome(result, ctx.signal) });
        return result;
      } catch (error) {
        if (error instanceof WaitCancelled) {
          // Cancelled while it waited (for approval): nobody refused it; the stage's decision says who cancelled.
          await trail.recordCall(ctx, received, { outcome: 'cancelled' });
        } else if (error instanceof CallRefused) {
          const refusal = { stage: error.stage, reason: error.reason, ...(error.details.rule && { rule: error.details.rule }) };
          await trail.recordCall(ctx, received, { outcome: 'refused', refusal });
        } else {
          await trail.recordCall(ctx, received, { outcome: 'error', error: errorMessage(error) });
        }
        throw error;
      }
    },
  };
}

