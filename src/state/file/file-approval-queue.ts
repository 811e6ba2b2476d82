import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
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
import { readJsonFile, syncFolder, writeJsonFileAtomic } from './json-file.js';

/**
 * Calls waiting for a human, as files in `<stateDir>/approvals/` so another process (the CLI, or the HTTP admin
 * endpoint of another toolscope) can answer while `serve` waits. `<id>.request.json` describes the call;
 * `<id>.decision.json` is published exclusively (link fails if it exists), so the first answer wins, whether a person's or the timeout's.
 */
export class FileApprovalQueue implements ApprovalQueue {
  constructor(
    readonly folder: string,
    private readonly pollMs = 200,
  ) {}

  async submit(request: Omit<ApprovalRequest, 'id' | 'waiter'>): Promise<ApprovalRequest> {
    const full = { id: randomBytes(5).toString('hex'), ...request, waiter: THIS_WAITER };
    await writeJsonFileAtomic(this.requestPath(full.id), full);
    return full;
  }

  /** Requests still waiting for an answer, oldest first; orphaned ones left out. */
  async pending(now = Date.now()): Promise<ApprovalRequest[]> {
    const { requests, decided } = await this.all();
    return requests.filter((r) => !decided.has(r.id) && Date.parse(r.expiresAt) > now && !waiterGone(r));
  }

  /** Requests whose serve is gone (killed mid-wait), answered or not, expired or not: their files stay until removed. */
  async orphaned(): Promise<ApprovalRequest[]> {
    return (await this.all()).requests.filter((r) => waiterGone(r));
  }

  async clearOrphaned(): Promise<ApprovalRequest[]> {
    const orphans = await this.orphaned();
    for (const orphan of orphans) await this.remove(orphan.id);
    return orphans;
  }

  /** Every request on file, oldest first, and the ids that have an answer. */
  private async all(): Promise<{ requests: ApprovalRequest[]; decided: Set<string> }> {
    const names = await readdir(this.folder).catch(() => [] as string[]);
    const ids = names.filter((n) => n.endsWith('.request.json')).map((n) => n.slice(0, -'.request.json'.length));
    const decided = new Set(names.filter((n) => n.endsWith('.decision.json')).map((n) => n.slice(0, -'.decision.json'.length)));
    const requests = (await Promise.all(ids.map((id) => this.request(id))))
      .filter((r): r is ApprovalRequest => r !== undefined)
      .sort((a, b) => a.requestedAt.localeCompare(b.requestedAt));
    return { requests, decided };
  }

  async request(id: string): Promise<ApprovalRequest | undefined> {
    if (!APPROVAL_ID.test(id)) return undefined;
    return readJsonFile(this.requestPath(id), approvalRequestSchema);
  }

  /** Answers a pending request; only the first answer for an id counts. An orphaned one is removed instead. */
  async decide(id: string, approved: boolean, by: string, credential?: ApprovalDecision['credential']): Promise<DecideResult> {
    const request = await this.request(id);
    if (!request) return 'unknown';
    if (waiterGone(request)) {
      await this.remove(id);
      return 'orphaned';
    }
    if (Date.parse(request.expiresAt) <= Date.now() && by !== 'timeout') return 'expired';
    const decision = { approved, by, at: new Date().toISOString(), ...(credential && { credential }) };
    return (await this.writeDecision(id, decision)) ? 'decided' : 'already-decided';
  }

  /**
   * Waits for the answer to `id`. At `deadline` (ms since epoch) or when `signal` aborts, answers "denied" itself;
   * if a person's answer got there first, that answer stands. The request's files are removed afterwards.
   */
  async wait(id: string, deadline: number, signal: AbortSignal): Promise<ApprovalDecision> {
    try {
      for (;;) {
        const decision = await readJsonFile(this.decisionPath(id), approvalDecisionSchema);
        if (decision) return decision;
        if (signal.aborted || Date.now() >= deadline) {
          const by = signal.aborted ? 'cancelled' : 'timeout';
          await this.writeDecision(id, { approved: false, by, at: new Date().toISOString() });
          continue;
        }
        await sleep(Math.min(this.pollMs, Math.max(1, deadline - Date.now())), undefined, { signal }).catch(() => undefined);
      }
    } finally {
      await this.remove(id);
    }
  }

  private async remove(id: string): Promise<void> {
    await rm(this.requestPath(id), { force: true });
    await rm(this.decisionPath(id), { force: true });
  }

  /** Publishes a decision complete or not at all: written to a temp file, then hard-linked (fails if one exists). */
  private async writeDecision(id: string, decision: ApprovalDecision): Promise<boolean> {
    await mkdir(this.folder, { recursive: true, mode: 0o700 });
    const temporary = join(this.folder, `.${id}.${randomBytes(4).toString('hex')}.tmp`);
    try {
      const handle = await open(temporary, 'wx', 0o600);
      try {
        await handle.writeFile(JSON.stringify(decision));
        await handle.sync();
      } finally {
        await handle.close();
      }
      await link(temporary, this.decisionPath(id));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw error;
    } finally {
      await rm(temporary, { force: true });
    }
    await syncFolder(this.folder);
    return true;
  }

  private requestPath(id: string): string {
    return join(this.folder, `${id}.request.json`);
  }

  private decisionPath(id: string): string {
    return join(this.folder, `${id}.decision.json`);
  }
}
