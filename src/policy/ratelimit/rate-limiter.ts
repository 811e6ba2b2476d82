import type { Bucket, RateLimitsConfig } from '../../config/policy.js';
import type { CatalogTool } from '../../catalog/tool.js';
import type { RateBuckets } from '../../state/rate-buckets.js';
import { compileToolPattern } from '../scopes/scope-rule.js';

export type RateDecision =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly rule: string; readonly retryAfterSeconds: number; readonly counts: LimitCounts };

/** What the bucket that ran out counts: all of the principal's calls, its calls of one tool, or its searches. */
export type LimitCounts = 'calls' | 'tool' | 'searches';

interface ResolvedLimit {
  readonly bucket: Bucket;
  readonly rule: string;
  readonly counts: LimitCounts;
}

/**
 * Token buckets per principal (all its calls) and per principal and tool, from `rateLimits`.
 * A call takes a token from both or from neither, so a refused call does not use up the other bucket.
 * Searches have a bucket per principal of their own (`rateLimits.search`), apart from calls.
 * Which buckets apply is decided here; the buckets themselves live in the state backend (this process, or Redis
 * shared by every replica), which throws `StateUnavailableError` when it cannot be reached.
 */
export class RateLimiter {
  private readonly toolLimits: ReadonlyArray<{ matches: (tool: CatalogTool) => boolean; limit: ResolvedLimit }>;

  constructor(
    private readonly config: RateLimitsConfig,
    private readonly buckets: RateBuckets,
  ) {
    this.toolLimits = Object.entries(config.tools).map(([pattern, bucket]) => ({
      matches: compileToolPattern(pattern),
      limit: { bucket, rule: `rateLimits.tools["${pattern}"]`, counts: 'tool' },
    }));
  }

  take(principal: string, tool: CatalogTool): Promise<RateDecision> {
    const candidates: Array<{ key: string; limit: ResolvedLimit }> = [];
    const overall = this.principalLimit(principal);
    // Exposed tool names have no ':', so `tool:<principal>:<tool>` is unambiguous whatever the principal's name.
    if (overall) candidates.push({ key: `principal:${principal}`, limit: overall });
    const perTool = this.toolLimit(principal, tool);
    if (perTool) candidates.push({ key: toolBucketKey(principal, tool, perTool), limit: perTool });
    return this.takeFrom(candidates);
  }

  /** One search (`search_tools`, `tools/list` with a query, the route API) by `principal`. */
  takeSearch(principal: string): Promise<RateDecision> {
    const limit = this.searchLimit(principal);
    return this.takeFrom(limit ? [{ key: `search:${principal}`, limit }] : []);
  }

  private async takeFrom(candidates: ReadonlyArray<{ key: string; limit: ResolvedLimit }>): Promise<RateDecision> {
    // Even with no bucket to draw on, the backend is asked: a shared one that is down refuses every call.
    const answer = await this.buckets.draw(candidates.map(({ key, limit }) => ({ key, limit: limit.bucket })));
    if (answer.taken) return { allowed: true };
    const waits = candidates.map(({ limit }, i) => ({ limit, seconds: answer.waitSeconds[i] ?? 0 })).filter((w) => w.seconds > 0);
    const longest = waits.reduce((a, b) => (b.seconds > a.seconds ? b : a));
    return { allowed: false, rule: longest.limit.rule, counts: longest.limit.counts, retryAfterSeconds: Math.max(1, Math.ceil(longest.seconds)) };
  }

  private principalLimit(principal: string): ResolvedLimit | undefined {
    const own = this.config.principals[principal]?.principal;
    if (own) return { bucket: own, rule: `rateLimits.principals.${principal}.principal`, counts: 'calls' };
    return this.config.principal && { bucket: this.config.principal, rule: 'rateLimits.principal', counts: 'calls' };
  }

  private toolLimit(principal: string, tool: CatalogTool): ResolvedLimit | undefined {
    const specific = this.toolLimits.find((entry) => entry.matches(tool));
    if (specific) return specific.limit;
    const own = this.config.principals[principal]?.tool;
    if (own) return { bucket: own, rule: `rateLimits.principals.${principal}.tool`, counts: 'tool' };
    return this.config.tool && { bucket: this.config.tool, rule: 'rateLimits.tool', counts: 'tool' };
  }

  private searchLimit(principal: string): ResolvedLimit | undefined {
    const own = this.config.principals[principal]?.search;
    const limit = own ?? this.config.search;
    if (limit === 'off') return undefined;
    return { bucket: limit, rule: own ? `rateLimits.principals.${principal}.search` : 'rateLimits.search', counts: 'searches' };
  }
}

/**
 * The bucket of a principal's calls of one tool. Resource URIs are unbounded (a template fills in any): the reads of
 * one server's resources share one bucket per principal and rule, so a limit holds across URIs and keys stay few.
 */
function toolBucketKey(principal: string, tool: CatalogTool, limit: ResolvedLimit): string {
  return tool.read?.kind === 'resource' ? `resources:${principal}:${tool.server}:${limit.rule}` : `tool:${principal}:${tool.exposedName}`;
}
