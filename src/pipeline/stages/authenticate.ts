import type { CallStage } from '../call-context.js';
import { CallRefused } from '../refusal.js';

/** Refuses any call that arrives without a principal; the transports decide who the principal is. */
export function authenticateStage(): CallStage {
  return {
    name: 'authenticate',
    async handle(ctx, next) {
      if (!ctx.principal) {
        ctx.decisions.push({ stage: 'authenticate', outcome: 'deny', reason: 'no principal' });
        throw new CallRefused('authenticate', 'the call carries no authenticated principal');
      }
      ctx.decisions.push({ stage: 'authenticate', outcome: 'pass', reason: `principal ${ctx.principal.name}` });
      return next();
    },
  };
}
