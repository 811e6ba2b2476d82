import { randomBytes } from 'node:crypto';
import {
  APPROVAL_ID,
  approvalDecisionSchema,
  approvalRequestSchema,
  type ApprovalDecision,
  type ApprovalQueue,
  type ApprovalRequest,
  type DecideResult,
  THIS_WAITER,
  waiterGone,
} from '../approval-queue.js';
import type { RedisConnection } from './redis-connection.js';

const DECIDED_CHANNEL = 'approvals:decided';
/** Requests and answers outlive their deadline by this much, then Redis drops them (a replica that died mid-wait). */
const LINGER_MS = 60_000;

/**
 * Calls waiting for a human, in Redis: `approval:<id>` holds the request, `approval:<id>:decision` the answer (set
 * only if absent, so the first answer wins), `approvals:pending` orders the ids by time. An answer is published on
 * a channel, so the call waiting on whichever replica proceeds at once; a replica that lost its connection re-reads
 * its answers when Redis is back. No polling.
 */
export class RedisApprovalQueue implements ApprovalQueue {
  private readonly waiters = new Map<string, () => void>();
  private listening: Promise<unknown> | undefined;

  constructor(private readonly redis: RedisConnection) {
    redis.onReconnect(() => this.wakeAll());
  }

  async submit(request: Omit<ApprovalRequest, 'id' | 'waiter'>): Promise<ApprovalRequest> {
    const full = { id: randomBytes(5).toString('hex'), ...request, waiter: THIS_WAITER };
    const ttl = Math.max(1, Date.parse(full.expiresAt) - Date.now()) + LINGER_MS;
    await this.redis.run((commands) =>
      commands.multi().set(this.requestKey(full.id), JSON.stringify(full), 'PX', ttl).zadd(this.pendingKey(), Date.parse(full.requestedAt), full.id).exec(),
    );
    return full;
  }

  async pending(now = Date.now()): Promise<ApprovalRequest[]> {
    return (await this.all(now)).filter((request) => !waiterGone(request));
  }

  /**
   * Those whose replica is known to be gone: only a replica on this host (same host name) that is no longer alive.
   * Redis drops the others a minute after they expire.
   */
  async orphaned(): Promise<ApprovalRequest[]> {
    return (await this.all(0, true)).filter((request) => waiterGone(request));
  }

  async clearOrphaned(): Promise<ApprovalRequest[]> {
    const orphans = await this.orphaned();
    for (const orphan of orphans) await this.remove(orphan.id);
    return orphans;
  }

  /** The requests in the index, oldest first: unanswered ones expiring after `now`, or (`answeredToo`) every one. */
  private async all(now: number, answeredToo = false): Promise<ApprovalRequest[]> {
    return this.redis.run(async (commands) => {
      const ids = await commands.zrange(this.pendingKey(), 0, -1);
      if (ids.length === 0) return [];
      const values = await commands.mget(...ids.flatMap((id) => [this.requestKey(id), this.decisionKey(id)]));
      const requests: ApprovalRequest[] = [];
      const gone: string[] = [];
      ids.forEach((id, i) => {
        const [request, decision] = [values[2 * i], values[2 * i + 1]];
        if (!request) gone.push(id);
        const parsed = request && (answeredToo || !decision) ? approvalRequestSchema.safeParse(JSON.parse(request)) : undefined;
        if (parsed?.success && Date.parse(parsed.data.expiresAt) > now) requests.push(parsed.data);
      });
      // Requests Redis expired (their replica died while waiting) leave the index too.
      if (gone.length > 0) await commands.zrem(this.pendingKey(), ...gone);
      return requests;
    });
  }

  async request(id: string): Promise<ApprovalRequest | undefined> {
    if (!APPROVAL_ID.test(id)) return undefined;
    const stored = await this.redis.run((commands) => commands.get(this.requestKey(id)));
    const parsed = stored ? approvalRequestSchema.safeParse(JSON.parse(stored)) : undefined;
    return parsed?.success ? parsed.data : undefined;
  }

  async decide(id: string, approved: boolean, by: string, credential?: ApprovalDecision['credential']): Promise<DecideResult> {
    const request = await this.request(id);
    if (!request) return 'unknown';
    if (waiterGone(request)) {
      await this.remove(id);
      return 'orphaned';
    }
    if (Date.parse(request.expiresAt) <= Date.now() && by !== 'timeout') return 'expired';
    const decision = { approved, by, at: new Date().toISOString(), ...(credential && { credential }) };
    return (await this.writeDecision(id, decision, request)) ? 'decided' : 'already-decided';
  }

  async wait(id: string, deadline: number, signal: AbortSignal): Promise<ApprovalDecision> {
    await (this.listening ??= this.redis.subscribe(DECIDED_CHANNEL, (decided) => this.waiters.get(decided)?.()));
    try {
      for (;;) {
        // Registered before reading, so an answer published between the read and the wait is not missed.
        const woken = new Promise<void>((resolve) => this.waiters.set(id, resolve));
        const decision = await this.decision(id);
        if (decision) return decision;
        if (signal.aborted || Date.now() >= deadline) {
          await this.writeDecision(id, { approved: false, by: signal.aborted ? 'cancelled' : 'timeout', at: new Date().toISOString() });
          continue;
        }
        await untilFirst(woken, deadline - Date.now(), signal);
      }
    } finally {
      this.waiters.delete(id);
      await this.remove(id).catch(() => undefined);
    }
  }

  private async remove(id: string): Promise<void> {
    await this.redis.run((commands) => commands.multi().del(this.requestKey(id), this.decisionKey(id)).zrem(this.pendingKey(), id).exec());
  }

  private async decision(id: string): Promise<ApprovalDecision | undefined> {
    const stored = await this.redis.run((commands) => commands.get(this.decisionKey(id)));
    const parsed = stored ? approvalDecisionSchema.safeParse(JSON.parse(stored)) : undefined;
    return parsed?.success ? parsed.data : undefined;
  }

  /** Publishes an answer unless one exists; true when this one is it. */
  private async writeDecision(id: string, decision: ApprovalDecision, request?: ApprovalRequest): Promise<boolean> {
    const expiresAt = request ? Date.parse(request.expiresAt) : Date.now();
    const ttl = Math.max(1, expiresAt - Date.now()) + LINGER_MS;
    const written = await this.redis.run((commands) => commands.set(this.decisionKey(id), JSON.stringify(decision), 'PX', ttl, 'NX'));
    if (written !== 'OK') return false;
    await this.redis.publish(DECIDED_CHANNEL, id);
    return true;
  }

  /** After a lost connection, answers may have been published unheard: every waiting call reads its own again. */
  private wakeAll(): void {
    for (const wake of this.waiters.values()) wake();
  }

  private pendingKey(): string {
    return this.redis.key('approvals:pending');
  }

  private requestKey(id: string): string {
    return this.redis.key(`approval:${id}`);
  }

  private decisionKey(id: string): string {
    return this.redis.key(`approval:${id}:decision`);
  }
}

/** Resolves when `woken` does, after `ms`, or on abort, whichever comes first. */
function untilFirst(woken: Promise<void>, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, Math.max(1, ms));
    signal.addEventListener('abort', done, { once: true });
    void woken.then(done);
  });
}
