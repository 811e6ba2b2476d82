import { z } from 'zod';
import { expandEnvRecord, expandEnvReferences } from '../../config/env-reference.js';
import type { Logger } from '../../log.js';

/**
 * `approval.webhook`: a URL (or `{url, headers, timeoutMs}`) POSTed a JSON notice whenever a call starts waiting for
 * approval, for a chat channel or a pager. `${env:NAME}` may stand in the URL and header values (a chat webhook's URL
 * is itself a secret); neither is ever logged, only the URL's origin.
 */
export const approvalWebhookSchema = z.preprocess(
  (value) => (typeof value === 'string' ? { url: value } : value),
  z.strictObject({
    url: z.string().regex(/^https?:\/\//, 'must be an http:// or https:// URL'),
    headers: z.record(z.string(), z.string()).default({}),
    timeoutMs: z.number().int().positive().max(60_000).default(5_000),
  }),
);

export type ApprovalWebhookConfig = z.infer<typeof approvalWebhookSchema>;

/** What the webhook receives: who wants to call what, and how to answer. No secrets: arguments as the audit records them. */
export interface ApprovalNotice {
  readonly event: 'approval.waiting';
  readonly id: string;
  readonly principal: string | null;
  readonly tool: string;
  readonly server: string;
  readonly rule: string;
  /** Redacted as in the audit log, long strings shortened. */
  readonly arguments: unknown;
  readonly requestedAt: string;
  readonly expiresAt: string;
  /** The commands that answer it (an approver principal may also use `POST /v1/approvals` or the console). */
  readonly approve: string;
  readonly deny: string;
}

export class ApprovalWebhook {
  constructor(
    private readonly config: ApprovalWebhookConfig,
    private readonly logger: Logger,
  ) {}

  /** Posts `notice` in the background: a slow, failing or absent receiver is logged and never holds up the call. */
  send(notice: ApprovalNotice): void {
    void this.post(notice);
  }

  private async post(notice: ApprovalNotice): Promise<void> {
    const log = this.logger.child({ approval: notice.id });
    let url: URL;
    let headers: Record<string, string>;
    try {
      url = new URL(expandEnvReferences(this.config.url, 'approval.webhook.url'));
      headers = expandEnvRecord(this.config.headers, 'approval.webhook.headers');
    } catch (error) {
      log.warn({ reason: (error as Error).message }, 'approval webhook not sent');
      return;
    }
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify(notice),
        signal: AbortSignal.timeout(this.config.timeoutMs),
        redirect: 'error',
      });
      await response.body?.cancel();
      if (!response.ok) log.warn({ webhook: url.origin, status: response.status }, `approval webhook answered ${response.status}`);
    } catch (error) {
      const reason = error instanceof Error ? `${error.message}${error.cause instanceof Error ? ` (${error.cause.message})` : ''}` : String(error);
      log.warn({ webhook: url.origin, reason }, 'approval webhook failed');
    }
  }
}

const SHOWN_STRING_LENGTH = 200;

/** Arguments for a notice: long strings cut to their start and length, so a chat message stays readable. */
export function argumentSummary(value: unknown): unknown {
  if (typeof value === 'string') {
    return value.length > SHOWN_STRING_LENGTH ? `${value.slice(0, SHOWN_STRING_LENGTH)}… (${value.length} characters)` : value;
  }
  if (Array.isArray(value)) return value.map(argumentSummary);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, argumentSummary(item)]));
  return value;
}
