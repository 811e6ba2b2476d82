import { z } from 'zod';

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
});

export const approvalDecisionSchema = z.object({
  approved: z.boolean(),
  /** Who answered: `cli:<user>`, `http:<principal>`, or `timeout` / `cancelled`. */
  by: z.string(),
  at: z.string(),
});

export type ApprovalRequest = z.infer<typeof approvalRequestSchema>;
export type ApprovalDecision = z.infer<typeof approvalDecisionSchema>;
export type DecideResult = 'decided' | 'unknown' | 'expired' | 'already-decided';

/** Approval ids: 10 hex digits (40 random bits), short enough to type in `toolscope approvals approve ID`. */
export const APPROVAL_ID = /^[0-9a-f]{10}$/;

/**
 * Calls waiting for a human, answerable from any process that shares the state: the CLI, the HTTP approval
 * endpoint or the console of any replica. The first answer wins, whether a person's or the timeout's. Kept in the
 * state folder (one toolscope, `FileApprovalQueue`) or in Redis (replicas, `RedisApprovalQueue`).
 */
export interface ApprovalQueue {
  submit(request: Omit<ApprovalRequest, 'id'>): Promise<ApprovalRequest>;
  /** Requests still waiting for an answer, oldest first. */
  pending(now?: number): Promise<ApprovalRequest[]>;
  request(id: string): Promise<ApprovalRequest | undefined>;
  /** Answers a pending request; only the first answer for an id counts. */
  decide(id: string, approved: boolean, by: string): Promise<DecideResult>;
  /**
   * Waits for the answer to `id`. At `deadline` (ms since epoch) or when `signal` aborts, answers "denied" itself;
   * if a person's answer got there first, that answer stands. The request is removed afterwards.
   */
  wait(id: string, deadline: number, signal: AbortSignal): Promise<ApprovalDecision>;
}
