import type { Bucket, RateLimitsConfig } from '../../config/policy.js';
import type { CatalogTool } from '../../catalog/tool.js';
import { compileToolPattern } from '../scopes/scope-rule.js';
import { monotonicClock, TokenBucket, type Clock } from './token-bucket.js';

export type RateDecision =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly rule: string; readonly retryAfterSeconds: number };

interface ResolvedLimit {
  readonly bucket: Bucket;
  readonly rule: string;
}

/**
 * Token buckets per principal (all its calls) and per principal and tool, from `rateLimits`.
 * A call takes a token from both or from neither, so a refused call does not use up the other bucket.
 * Searches have a bucket per principal of their own (`rateLimits.search`), apart from calls.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly toolLimits: ReadonlyArray<{ matches: (tool: CatalogTool) => boolean; limit: ResolvedLimit }>;

  constructor(
    private readonly config: RateLimitsConfig,
    private readonly clock: Clock = monotonicClock,
  ) {
    this.toolLimits = Object.entries(config.tools).map(([pattern, bucket]) => ({
      matches: compileToolPattern(pattern),
      limit: { bucket, rule: `rateLimits.tools["${pattern}"]` },
    }));
  }

  take(principal: string, tool: CatalogTool): RateDecision {
    const candidates: Array<{ key: string; limit: ResolvedLimit }> = [];
    const overall = this.principalLimit(principal);
    if (overall) candidates.push({ key: `principal\0${principal}`, limit: overall });
    const perTool = this.toolLimit(principal, tool);
    if (perTool) candidates.push({ key: `tool\0${principal}\0${tool.exposedName}`, limit: perTool });
    return this.takeFrom(candidates);
  }

  /** One search (`search_tools`, `tools/list` with a query, the route API) by `principal`. */
  takeSearch(principal: string): RateDecision {
    const limit = this.searchLimit(principal);
    return this.takeFrom(limit ? [{ key: `search\0${principal}`, limit }] : []);
  }

  private takeFrom(candidates: ReadonlyArray<{ key: string; limit: ResolvedLimit }>): RateDecision {
    const buckets = candidates.map(({ key, limit }) => ({ bucket: this.bucket(key, limit.bucket), rule: limit.rule }));
    const waits = buckets.map(({ bucket, rule }) => ({ rule, seconds: bucket.waitSeconds() })).filter((w) => w.seconds > 0);
    if (waits.length > 0) {
      const longest = waits.reduce((a, b) => (b.seconds > a.seconds ? b : a));
      return { allowed: false, rule: longest.rule, retryAfterSeconds: Math.max(1, Math.ceil(longest.seconds)) };
    }
    for (const { bucket } of buckets) bucket.take();
    return { allowed: true };
  }

  private principalLimit(principal: string): ResolvedLimit | undefined {
    const own = this.config.principals[principal]?.principal;
    if (own) return { bucket: own, rule: `rateLimits.principals.${principal}.principal` };
    return this.config.principal && { bucket: this.config.principal, rule: 'rateLimits.principal' };
  }

  private toolLimit(principal: string, tool: CatalogTool): ResolvedLimit | undefined {
    const specific = this.toolLimits.find((entry) => entry.matches(tool));
    if (specific) return specific.limit;
    const own = this.config.principals[principal]?.tool;
    if (own) return { bucket: own, rule: `rateLimits.principals.${principal}.tool` };
    return this.config.tool && { bucket: this.config.tool, rule: 'rateLimits.tool' };
  }

  private searchLimit(principal: string): ResolvedLimit | undefined {
    const own = this.config.principals[principal]?.search;
    const limit = own ?? this.config.search;
    if (limit === 'off') return undefined;
    return { bucket: limit, rule: own ? `rateLimits.principals.${principal}.search` : 'rateLimits.search' };
  }

  private bucket(key: string, limit: Bucket): TokenBucket {
    let bucket = this.buckets.get(key);
    if (!bucket || bucket.limit !== limit) {
      bucket = new TokenBucket(limit, this.clock);
      this.buckets.set(key, bucket);
    }
    return bucket;
  }
}
