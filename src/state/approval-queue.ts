import { randomBytes } from 'node:crypto';
import { readlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { z } from 'zod';
import { credentialSchema } from '../policy/auth/principal.js';
import { processAlive } from '../process-alive.js';

/**
 * The process that waits for a request's answer: only it can run the call. Its pid means something only where
 * `host` (host name, and on Linux the pid namespace: containers sharing a host name do not share pids) is the same;
 * `instance` tells apart two processes of the same pid there (a restarted container's pid 1).
 */
const waiterSchema = z.object({ host: z.string(), pid: z.number().int().positive(), instance: z.string() });
export type ApprovalWaiter = z.infer<typeof waiterSchema>;

/** This process, as the waiter of the requests it submits. */
export const THIS_WAITER: ApprovalWaiter = { host: hostAndPidNamespace(), pid: process.pid, instance: randomBytes(8).toString('hex') };

function hostAndPidNamespace(): string {
  try {
    return `${hostname()} ${readlinkSync('/proc/self/ns/pid')}`;
  } catch {
    return hostname();
  }
}

export const approvalRequestSchema = z.object({
  id: z.string(),
  callId: z.string(),
  principal: z.string().nullable(),
  tool: z.string(),
  server: z.string(),
  /**
   * As the caller sent them, only toolscope's own configured secrets masked: the approver must see what they approve.
   * Kept private (a 0600 file in a 0700 folder, or the shared Redis) and removed once the call is answered.
   */
  arguments: z.unknown(),
  /** The rule that asked for approval. */
  rule: z.string(),
  requestedAt: z.string(),
  expiresAt: z.string(),
  /** Who waits for the answer (absent in requests of toolscope versions before it was recorded). */
  waiter: waiterSchema.optional(),
});

export const approvalDecisionSchema = z.object({
  approved: z.boolean(),
  /** Who answered: `cli:<user>`, `http:<principal>`, or `timeout` / `cancelled`. */
  by: z.string(),
  at: z.string(),
  /** How the approver authenticated, when a principal answered over HTTP or the console. */
  credential: credentialSchema.optional(),
});

export type ApprovalRequest = z.infer<typeof approvalRequestSchema>;
export type ApprovalDecision = z.infer<typeof approvalDecisionSchema>;
/** `orphaned`: the process that waited for it is gone (see `waiterGone`); the request was removed, nothing was decided. */
export type DecideResult = 'decided' | 'unknown' | 'expired' | 'already-decided' | 'orphaned';

/** Approval ids: 10 hex digits (40 random bits), short enough to type in `toolscope approvals approve ID`. */
export const APPROVAL_ID = /^[0-9a-f]{10}$/;

/**
 * Calls waiting for a human, answerable from any process that shares the state: the CLI, the HTTP approval
 * endpoint or the console of any replica. The first answer wins, whether a person's or the timeout's. Kept in the
 * state folder (one toolscope, `FileApprovalQueue`) or in Redis (replicas, `RedisApprovalQueue`).
 */
export interface ApprovalQueue {
  /** Queues a request; this process (`THIS_WAITER`) is recorded as the one waiting for it. */
  submit(request: Omit<ApprovalRequest, 'id' | 'waiter'>): Promise<ApprovalRequest>;
  /** Requests still waiting for an answer, oldest first; orphaned ones (see `orphaned`) left out. */
  pending(now?: number): Promise<ApprovalRequest[]>;
  /**
   * Requests whose waiting process is known to be gone (`waiterGone`: a serve killed, or crashed, mid-wait):
   * nothing will ever run them. Those of a process on another host cannot be told apart from waiting ones.
   */
  orphaned(): Promise<ApprovalRequest[]>;
  /** Removes the orphaned requests (a serve starting up); returns them. */
  clearOrphaned(): Promise<ApprovalRequest[]>;
  request(id: string): Promise<ApprovalRequest | undefined>;
  /**
   * Answers a pending request; only the first answer for an id counts. An orphaned request is removed instead
   * (`orphaned`): approving it would run nothing. `credential`: how the approver authenticated, for the audit log.
   */
  decide(id: string, approved: boolean, by: string, credential?: ApprovalDecision['credential']): Promise<DecideResult>;
  /**
   * Waits for the answer to `id`. At `deadline` (ms since epoch) or when `signal` aborts, answers "denied" itself;
   * if a person's answer got there first, that answer stands. The request is removed afterwards.
   */
  wait(id: string, deadline: number, signal: AbortSignal): Promise<ApprovalDecision>;
}

/**
 * Whether the process that waits for `request` is known to be gone, so nothing will ever run its call. Known only
 * on the waiter's own host: its pid is not alive, or is this very process's pid under another instance (the process
 * before a restart). A waiter on another host (Redis replicas), or a request without a waiter, counts as waiting.
 */
export function waiterGone(request: ApprovalRequest, self: ApprovalWaiter = THIS_WAITER): boolean {
  const { waiter } = request;
  if (!waiter || waiter.host !== self.host) return false;
  if (waiter.pid === self.pid) return waiter.instance !== self.instance;
  return !processAlive(waiter.pid);
}

/** What answering an orphaned request says: nothing will run the call, whatever the answer. */
export function orphanedAnswer(id: string, request: ApprovalRequest | undefined): string {
  const pid = request?.waiter ? ` (pid ${request.waiter.pid})` : '';
  return `call ${id} was not answered: nothing is waiting for it: the serve that asked${pid} is gone; the request was removed`;
}
