import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../src/policy/ratelimit/rate-limiter.js';
import { LocalRateBuckets } from '../src/state/file/local-rate-buckets.js';
import { rateLimitStage } from '../src/pipeline/stages/rate-limit.js';
import { callContext, policyConfig, refusalOf, run, tool } from './support/policy.js';

const echo = tool('everything', { name: 'echo' });
const sum = tool('everything', { name: 'get-sum' });

/** A clock the test moves by hand. */
function manualClock() {
  let now = 0;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('rate limits', () => {
  it('allows a burst of capacity, then refuses with the seconds until the next token', async () => {
    const clock = manualClock();
    const limiter = new RateLimiter(policyConfig({ rateLimits: { principal: { capacity: 3, refillPerSecond: 0.25 } } }).rateLimits, new LocalRateBuckets(clock.now));
    for (let i = 0; i < 3; i += 1) expect(await limiter.take('agent', echo)).toEqual({ allowed: true });
    expect(await limiter.take('agent', echo)).toEqual({ allowed: false, rule: 'rateLimits.principal', counts: 'calls', retryAfterSeconds: 4 });
    clock.advance(3900);
    expect(await limiter.take('agent', echo)).toMatchObject({ allowed: false, retryAfterSeconds: 1 });
    clock.advance(100);
    expect(await limiter.take('agent', echo)).toEqual({ allowed: true });
    // Buckets are per principal.
    expect(await limiter.take('other', echo)).toEqual({ allowed: true });
  });

  it('keeps a per-tool bucket per principal; a call refused by one bucket takes nothing from the other', async () => {
    const clock = manualClock();
    const limiter = new RateLimiter(
      policyConfig({
        rateLimits: {
          principal: { capacity: 3, refillPerSecond: 1 },
          tool: { capacity: 1, refillPerSecond: 1 },
          tools: { 'everything:get-sum': { capacity: 2, refillPerSecond: 1 } },
        },
      }).rateLimits,
      new LocalRateBuckets(clock.now),
    );
    expect((await limiter.take('agent', echo)).allowed).toBe(true);
    expect(await limiter.take('agent', echo)).toMatchObject({ allowed: false, rule: 'rateLimits.tool' });
    expect((await limiter.take('agent', sum)).allowed).toBe(true);
    expect((await limiter.take('agent', sum)).allowed).toBe(true);
    // The refused echo did not use a principal token: two sums and one echo used all three.
    expect(await limiter.take('agent', sum)).toMatchObject({ allowed: false });
  });

  it('uses a principal\'s own limits over the defaults', async () => {
    const clock = manualClock();
    const limiter = new RateLimiter(
      policyConfig({
        rateLimits: { principal: { capacity: 1, refillPerSecond: 1 }, principals: { batch: { principal: { capacity: 5, refillPerSecond: 1 } } } },
      }).rateLimits,
      new LocalRateBuckets(clock.now),
    );
    for (let i = 0; i < 5; i += 1) expect((await limiter.take('batch', echo)).allowed).toBe(true);
    expect(await limiter.take('batch', echo)).toMatchObject({ allowed: false, rule: 'rateLimits.principals.batch.principal' });
  });

  it('lets everything through when no limit is configured', async () => {
    const limiter = new RateLimiter(policyConfig().rateLimits, new LocalRateBuckets());
    for (let i = 0; i < 1000; i += 1) expect((await limiter.take('agent', echo)).allowed).toBe(true);
  });

  it('stage: over the limit the call stops with retry-after and never reaches the terminal', async () => {
    const stage = rateLimitStage(new RateLimiter(policyConfig({ rateLimits: { tool: { capacity: 1, refillPerSecond: 0.1 } } }).rateLimits, new LocalRateBuckets()));
    expect((await run([stage], callContext(echo))).reached).toBe(true);
    const { result, reached } = await run([stage], callContext(echo));
    expect(reached).toBe(false);
    expect(refusalOf(result)).toMatchObject({ stage: 'rate-limit', rule: 'rateLimits.tool', retryAfterSeconds: 10 });
    expect((result.content[0] as { text: string }).text).toMatch(/Retry after 10 s/);
  });

  it('stage: names the tool when its own bucket ran out, and all of the caller\'s calls when the principal\'s did', async () => {
    const limits = { principal: { capacity: 2, refillPerSecond: 0.1 }, tool: { capacity: 1, refillPerSecond: 0.1 } };
    const stage = rateLimitStage(new RateLimiter(policyConfig({ rateLimits: limits }).rateLimits, new LocalRateBuckets()));
    const caller = { name: 'alice' };
    expect((await run([stage], callContext(echo, {}, caller))).reached).toBe(true);
    const sameTool = await run([stage], callContext(echo, {}, caller));
    expect(refusalOf(sameTool.result)).toMatchObject({ reason: 'rate limit reached for alice on everything__echo', rule: 'rateLimits.tool' });
    expect((await run([stage], callContext(sum, {}, caller))).reached).toBe(true);
    const anyTool = await run([stage], callContext(tool('everything', { name: 'add' }), {}, caller));
    expect(refusalOf(anyTool.result)).toMatchObject({ reason: 'rate limit reached for alice across all of its calls', rule: 'rateLimits.principal' });
  });
});
