import type { RateLimiter } from '../../policy/ratelimit/rate-limiter.js';
import type { CallStage } from '../call-context.js';
import { CallRefused, failClosed } from '../refusal.js';

/** Stops a principal that calls faster than `rateLimits` allows; says when to retry. */
export function rateLimitStage(limiter: RateLimiter): CallStage {
  return {
    name: 'rate-limit',
    async handle(ctx, next) {
      const decision = await failClosed('rate-limit', () => limiter.take(ctx.principal?.name ?? '', ctx.tool)).catch((error: unknown) => {
        if (error instanceof CallRefused) ctx.decisions.push({ stage: 'rate-limit', outcome: 'deny', reason: error.reason });
        throw error;
      });
      if (!decision.allowed) {
        // Which bucket ran out: the caller can wait, or call another tool meanwhile only when it was the tool's.
        const over = decision.counts === 'tool' ? `on ${ctx.tool.exposedName}` : 'across all of its calls';
        const reason = `rate limit reached for ${ctx.principal?.name ?? 'this caller'} ${over}`;
        ctx.decisions.push({ stage: 'rate-limit', outcome: 'deny', reason: `${reason} (${decision.rule})` });
        throw new CallRefused('rate-limit', reason, { rule: decision.rule, retryAfterSeconds: decision.retryAfterSeconds });
      }
      ctx.decisions.push({ stage: 'rate-limit', outcome: 'pass' });
      return next();
    },
  };
}
