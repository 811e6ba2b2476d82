import type { ApprovalConfig, CapabilitiesConfig } from '../../config/policy.js';
import type { CatalogTool } from '../../catalog/tool.js';
import type { CallContext } from '../../pipeline/call-context.js';
import { CallRefused, WaitCancelled } from '../../pipeline/refusal.js';
import type { Credential } from '../auth/principal.js';
import type { Redactor } from '../audit/redactor.js';
import { classifyTool } from '../scopes/capability.js';
import { compileRules, type CompiledRule } from '../scopes/scope-rule.js';
import type { Logger } from '../../log.js';
import type { ApprovalQueue, ApprovalRequest } from '../../state/approval-queue.js';
import type { ClientAsks } from './client-asks.js';
import { askByElicitation } from './elicitation.js';
import { ApprovalWebhook, argumentSummary } from './webhook.js';
import { HIDDEN_CHARACTERS, VARIATION_SELECTORS } from '../invisible-characters.js';

/** How often a waiting caller that sent a progress token is told it is still waiting. */
export const WAITING_PROGRESS_INTERVAL_MS = 5_000;

export interface ApprovalOutcome {
  readonly approved: boolean;
  readonly via: 'elicitation' | 'queue';
  /** Who answered: `client:<principal>` (a human approver's client), `cli:…`/`http:…` for the queue, `timeout`, `cancelled`. */
  readonly by: string;
  /** The queue id, when the queue was used. */
  readonly id?: string;
  /** Why elicitation was not used or did not answer. */
  readonly note?: string;
  /** How the approver authenticated, when a principal answered the queue over HTTP or the console. */
  readonly credential?: Credential;
}

/** Which calls wait for a human (`approval.required`) and how the human is asked. */
export class Approvals {
  private readonly rules: CompiledRule[];
  private readonly humanApprovers: ReadonlySet<string>;
  private readonly webhook: ApprovalWebhook | undefined;
  /** Calls per principal on their way into the queue (counted before the queue shows them). */
  private readonly entering = new Map<string, number>();

  constructor(
    private readonly config: ApprovalConfig,
    private readonly capabilities: CapabilitiesConfig,
    private readonly queue: ApprovalQueue,
    private readonly redactor: Redactor,
    private readonly clientAsks: ClientAsks,
    private readonly logger: Logger,
    /** The CLI on this config (`toolscope --config FILE`): the commands the log and webhook suggest work from any folder. */
    private readonly cli = 'toolscope',
  ) {
    this.rules = compileRules(config.required, 'approval.required');
    this.humanApprovers = new Set(config.humanApprovers);
    this.webhook = config.webhook && new ApprovalWebhook(config.webhook, logger);
  }

  /** The rule that requires approval for `tool`, or undefined. */
  requiredBy(tool: CatalogTool): string | undefined {
    const { classes } = classifyTool(tool, this.capabilities);
    return this.rules.find((rule) => rule.matches(tool, classes))?.label;
  }

  /** Whether a person answers for `principal` (`approval.humanApprovers`): only then may it approve its own calls. */
  isHumanApprover(principal: string | null | undefined): principal is string {
    return principal !== null && principal !== undefined && this.humanApprovers.has(principal);
  }

  /**
   * Asks the caller's client by elicitation when a person answers it (`approval.humanApprovers`); otherwise, or
   * when elicitation fails, queues the request for someone else: `toolscope approvals`, or an approver principal
   * over `/v1/approvals`. Whatever is left of the timeout applies to the queue.
   */
  async obtain(ctx: CallContext, rule: string): Promise<ApprovalOutcome> {
    const started = Date.now();
    const deadline = started + this.config.timeoutSeconds * 1000;
    // The approver sees what the caller sent; only toolscope's own secrets stay masked.
    const shownArguments = this.redactor.maskConfigured(ctx.arguments);
    let note: string | undefined;
    const principal = ctx.principal?.name;
    if (ctx.client.elicit && this.isHumanApprover(principal)) {
      const { elicit } = ctx.client;
      const ask = { callId: ctx.callId, principal, tool: ctx.tool.exposedName, rule, askedAt: new Date().toISOString(), expiresAt: new Date(deadline).toISOString() };
      const answer = await this.clientAsks.during(ask, () => askByElicitation(elicit, this.message(ctx, shownArguments), deadline - Date.now(), `client:${principal}`));
      if (!('failed' in answer)) return { approved: answer.approved, via: 'elicitation', by: answer.by };
      // The form went away with the call: cancelled, not failed (and not queued).
      throwIfCancelled(ctx.signal, started, 'via elicitation');
      note = `elicitation failed (${answer.failed}); queued instead`;
    }
    throwIfCancelled(ctx.signal, started, 'before it was queued');
    const request = await this.enterQueue(principal ?? null, () =>
      this.queue.submit({
        callId: ctx.callId,
        principal: principal ?? null,
        tool: ctx.tool.exposedName,
        server: ctx.tool.server,
        arguments: shownArguments,
        rule,
        requestedAt: new Date().toISOString(),
        expiresAt: new Date(deadline).toISOString(),
      }),
    );
    this.announce(request, ctx.arguments);
    const stopReporting = reportWaiting(ctx, request);
    const decision = await this.queue.wait(request.id, deadline, ctx.signal).finally(stopReporting);
    // Cancelled by the client (the queue answered "cancelled" itself), or by a stop whatever the answer: it cannot run now.
    if (decision.by === 'cancelled' || ctx.signal.reason instanceof CallRefused) throwIfCancelled(ctx.signal, started, `via queue ${request.id}`);
    return {
      approved: decision.approved,
      via: 'queue',
      by: decision.by,
      id: request.id,
      ...(note && { note }),
      ...(decision.credential && { credential: decision.credential }),
    };
  }

  /**
   * Submits (`submit`) unless `principal` already has `maxWaitingPerPrincipal` calls waiting: those in the queue, on
   * any replica, and those of this process on their way in (concurrent calls all read the queue before any is in it).
   */
  private async enterQueue(principal: string | null, submit: () => Promise<ApprovalRequest>): Promise<ApprovalRequest> {
    const key = principal ?? '';
    const entering = (this.entering.get(key) ?? 0) + 1;
    this.entering.set(key, entering);
    try {
      const queued = (await this.queue.pending()).filter((request) => request.principal === principal).length;
      const max = this.config.maxWaitingPerPrincipal;
      if (queued + entering > max) {
        throw new CallRefused('approve', `${principal ?? 'this client'} already has ${max} calls waiting for approval; answer them or let them time out first`, {
          rule: 'approval.maxWaitingPerPrincipal',
        });
      }
      return await submit();
    } finally {
      const left = this.entering.get(key)! - 1;
      if (left === 0) this.entering.delete(key);
      else this.entering.set(key, left);
    }
  }

  /** A queued call must not wait unnoticed: a warning in the log, and the webhook when one is configured. */
  private announce(request: ApprovalRequest, args: unknown): void {
    const answer = (verb: string) => `${this.cli} approvals ${verb} ${request.id}`;
    this.logger.warn(
      { approval: request.id, principal: request.principal, tool: request.tool, rule: request.rule, expiresAt: request.expiresAt },
      `call of ${request.tool} by ${request.principal ?? 'a client'} waits for approval: \`${answer('approve')}\` or \`${answer('deny')}\` (or the console)`,
    );
    this.webhook?.send({
      event: 'approval.waiting',
      id: request.id,
      principal: request.principal,
      tool: request.tool,
      server: request.server,
      rule: request.rule,
      arguments: argumentSummary(this.redactor.redact(args)),
      requestedAt: request.requestedAt,
      expiresAt: request.expiresAt,
      approve: answer('approve'),
      deny: answer('deny'),
    });
  }

  private message(ctx: CallContext, shownArguments: unknown): string {
    return [
      `toolscope: ${ctx.principal?.name ?? 'a client'} wants to call ${ctx.tool.name} on server "${ctx.tool.server}".`,
      'Arguments (in full, shortest first):',
      approvalArgumentsText(shownArguments),
      'Approve this call?',
    ].join('\n');
  }
}

/**
 * A call cancelled while it waited for a person ends as cancelled (WaitCancelled), neither queued nor "denied by
 * cancelled": by toolscope's stop (which aborts with a refusal, the answer a client still listening gets), or by its
 * client (a cancellation, a closed session).
 */
function throwIfCancelled(signal: AbortSignal, started: number, where: string): void {
  if (!signal.aborted) return;
  const waited = `after ${((Date.now() - started) / 1000).toFixed(1)} s waiting for approval ${where}`;
  if (signal.reason instanceof CallRefused) {
    throw new WaitCancelled(signal.reason.stage, signal.reason.reason, 'stop', `cancelled by toolscope's stop ${waited}`);
  }
  throw new WaitCancelled('approve', `the call was cancelled ${waited}`, 'client', `cancelled by the client ${waited}`);
}

/**
 * Tells a caller that sent a progress token, at once and every few seconds, that its call waits for approval (and
 * keeps clients that reset their timeout on progress from giving up). Returns the function that stops it.
 */
function reportWaiting(ctx: CallContext, request: ApprovalRequest): () => void {
  const progress = ctx.client.progress;
  if (!progress) return () => undefined;
  const started = Date.now();
  const total = (Date.parse(request.expiresAt) - started) / 1000;
  const report = () => {
    const waited = (Date.now() - started) / 1000;
    progress({
      progress: waited,
      total,
      message: `waiting for approval ${request.id} (${Math.max(0, Math.round(total - waited))} s left): an approver runs \`toolscope approvals approve ${request.id}\` or answers in the console`,
    });
  };
  report();
  const timer = setInterval(report, WAITING_PROGRESS_INTERVAL_MS);
  return () => clearInterval(timer);
}

/** Control characters and characters that render as nothing or reorder text: shown as escapes so the approver sees them. */
const INVISIBLE = new RegExp(`[\\u0000-\\u001F\\u007F-\\u009F${HIDDEN_CHARACTERS}${VARIATION_SELECTORS}]`, 'gu');

/**
 * Every argument on a line of its own, shortest first, nothing cut: a long value cannot push another out of sight.
 * Keys and values are shown as JSON, so a key holding line breaks cannot draw argument lines of its own ("- path: …")
 * or a note from toolscope, and invisible or bidi characters show as `\u{…}` escapes.
 */
export function approvalArgumentsText(args: unknown): string {
  if (args === null || typeof args !== 'object' || Array.isArray(args)) return visible(JSON.stringify(args) ?? 'none');
  const lines = Object.entries(args).map(([key, value]) => `- ${visible(JSON.stringify(key))}: ${visible(JSON.stringify(value) ?? 'undefined')}`);
  if (lines.length === 0) return '(none)';
  return lines.sort((a, b) => a.length - b.length).join('\n');
}

function visible(text: string): string {
  return text.replace(INVISIBLE, (char) => `\\u{${char.codePointAt(0)!.toString(16)}}`);
}
