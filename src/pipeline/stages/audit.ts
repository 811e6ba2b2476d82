import type { CallOutcome } from '../../policy/audit/audit-record.js';
import type { AuditTrail } from '../../policy/audit/audit-trail.js';
import { isToolError, type CallStage, type DownstreamResult } from '../call-context.js';
import { CallRefused } from '../refusal.js';

/**
 * Wraps every other stage: whatever happens to the call (answered, refused, failed), one audit line records it,
 * and the caller gets its answer only after that line is on disk.
 */
export function auditStage(trail: AuditTrail): CallStage {
  return {
    name: 'audit',
    async handle(ctx, next) {
      const received = structuredClone(ctx.arguments);
      try {
        const result = await next();
        await trail.recordCall(ctx, received, { outcome: outcomeOf(result, ctx.signal) });
        return result;
      } catch (error) {
        if (error instanceof CallRefused) {
          const refusal = { stage: error.stage, reason: error.reason, ...(error.details.rule && { rule: error.details.rule }) };
          await trail.recordCall(ctx, received, { outcome: 'refused', refusal });
        } else {
          await trail.recordCall(ctx, received, { outcome: 'error', error: error instanceof Error ? error.message : String(error) });
        }
        throw error;
      }
    },
  };
}

/** A call whose client (or toolscope's stop) cancelled it ends as a tool error too, but is no failure of the tool. */
function outcomeOf(result: DownstreamResult, signal: AbortSignal): CallOutcome {
  if (!isToolError(result)) return 'ok';
  return signal.aborted ? 'cancelled' : 'tool-error';
}
