import type { ToolAccess } from '../../policy/tool-access.js';
import type { CallStage } from '../call-context.js';
import { CallRefused } from '../refusal.js';

/** Refuses a tool the principal may not call (scopes) or nobody may call now (quarantine). */
export function scopeStage(access: ToolAccess): CallStage {
  return {
    name: 'scope',
    async handle(ctx, next) {
      const decision = access.decide(ctx.principal, ctx.tool);
      if (!decision.allowed) {
        ctx.decisions.push({ stage: 'scope', outcome: 'deny', reason: `${decision.reason} (${decision.rule})` });
        throw new CallRefused('scope', decision.reason, { rule: decision.rule });
      }
      ctx.decisions.push({ stage: 'scope', outcome: 'pass', reason: decision.rule });
      return next();
    },
  };
}
