import { EventEmitter } from 'node:events';
import type { Logger } from '../../log.js';
import type { Principal } from '../auth/principal.js';
import { CallRefused, failClosed } from '../../pipeline/refusal.js';
import type { AuditTrail } from '../audit/audit-trail.js';
import type { RateLimiter } from './rate-limiter.js';

/** Where a search came in; named in the audit record of a refused one. */
export type SearchEntry = 'search_tools' | 'tools/list' | 'route' | 'console';

/**
 * Searches run retrieval (an embedding per query) without passing the call pipeline, so the call buckets never see
 * them: each principal's searches draw on a bucket of their own (`rateLimits.search`). A refused search is audited
 * like a refused call, announced (`refused`, for the metrics), then thrown as `CallRefused` from the rate-limit stage,
 * for each entry to present its way.
 */
export class SearchLimit extends EventEmitter<{ refused: [via: SearchEntry, refusal: CallRefused] }> {
  constructor(
    /** The rate limiter of the policy in effect: an edit of `rateLimits.search` applies at the next search. */
    private readonly limiter: () => RateLimiter,
    private readonly audit: AuditTrail | undefined,
    private readonly logger: Logger,
  ) {
    super();
  }

  /** Takes a search token for `principal`, or throws `CallRefused` naming the rule and when to retry. */
  async admit(principal: Principal | undefined, via: SearchEntry): Promise<void> {
    const refusal = await this.refusal(principal);
    if (!refusal) return;
    // The refusal stands whether or not its record could be written; a failed write is logged, as for pinning events.
    await this.audit
      ?.recordEvent('search-refused', { principal: principal?.name ?? null, via, stage: 'rate-limit', reason: refusal.reason, ...refusal.details }, principal?.credential)
      .catch((error: unknown) => this.logger.error({ err: error }, 'cannot write the audit log'));
    this.emit('refused', via, refusal);
    throw refusal;
  }

  private async refusal(principal: Principal | undefined): Promise<CallRefused | undefined> {
    try {
      const decision = await failClosed('rate-limit', () => this.limiter().takeSearch(principal?.name ?? ''));
      if (decision.allowed) return undefined;
      const { rule, retryAfterSeconds } = decision;
      return new CallRefused('rate-limit', `search rate limit reached for ${principal?.name ?? 'this caller'}`, { rule, retryAfterSeconds });
    } catch (error) {
      // Shared state out of reach: refused as well (fail closed), with that reason.
      if (error instanceof CallRefused) return error;
      throw error;
    }
  }
}
