import type { ApprovalConfig, CapabilitiesConfig } from '../../config/policy.js';
import type { CatalogTool } from '../../catalog/tool.js';
import type { CallContext } from '../../pipeline/call-context.js';
import type { Redactor } from '../audit/redactor.js';
import { classifyTool } from '../scopes/capability.js';
import { compileRules, type CompiledRule } from '../scopes/scope-rule.js';
import type { ApprovalQueue } from '../../state/approval-queue.js';
import { askByElicitation } from './elicitation.js';

export interface ApprovalOutcome {
  readonly approved: boolean;
  readonly via: 'elicitation' | 'queue';
  /** Who answered: the client, `cli:…`/`http:…` for the queue, `timeout`, `cancelled`. */
  readonly by: string;
  /** The queue id, when the queue was used. */
  readonly id?: string;
  /** Why elicitation was not used or did not answer. */
  readonly note?: string;
}

/** Which calls wait for a human (`approval.required`) and how the human is asked. */
export class Approvals {
  private readonly rules: CompiledRule[];

  constructor(
    private readonly config: ApprovalConfig,
    private readonly capabilities: CapabilitiesConfig,
    private readonly queue: ApprovalQueue,
    private readonly redactor: Redactor,
  ) {
    this.rules = compileRules(config.required, 'approval.required');
  }

  /** The rule that requires approval for `tool`, or undefined. */
  requiredBy(tool: CatalogTool): string | undefined {
    const { classes } = classifyTool(tool, this.capabilities);
    return this.rules.find((rule) => rule.matches(tool, classes))?.label;
  }

  /**
   * Asks the client by elicitation when it can; otherwise (or when elicitation fails) queues the request for
   * `toolscope approvals` / the admin endpoint. Whatever is left of the timeout applies to the queue.
   */
  async obtain(ctx: CallContext, rule: string): Promise<ApprovalOutcome> {
    const deadline = Date.now() + this.config.timeoutSeconds * 1000;
    const shownArguments = this.redactor.redact(ctx.arguments);
    let note: string | undefined;
    if (ctx.client.elicit) {
      const answer = await askByElicitation(ctx.client.elicit, this.message(ctx, shownArguments), deadline - Date.now());
      if (!('failed' in answer)) return { approved: answer.approved, via: 'elicitation', by: answer.by };
      note = `elicitation failed (${answer.failed}); queued instead`;
    }
    const request = await this.queue.submit({
      callId: ctx.callId,
      principal: ctx.principal?.name ?? null,
      tool: ctx.tool.exposedName,
      server: ctx.tool.server,
      arguments: shownArguments,
      rule,
      requestedAt: new Date().toISOString(),
      expiresAt: new Date(deadline).toISOString(),
    });
    const decision = await this.queue.wait(request.id, deadline, ctx.signal);
    return { approved: decision.approved, via: 'queue', by: decision.by, id: request.id, ...(note && { note }) };
  }

  private message(ctx: CallContext, shownArguments: unknown): string {
    const args = JSON.stringify(shownArguments, null, 2);
    return [
      `toolscope: ${ctx.principal?.name ?? 'a client'} wants to call ${ctx.tool.name} on server "${ctx.tool.server}".`,
      `Arguments:\n${args.length > 4000 ? `${args.slice(0, 4000)}\n...` : args}`,
      'Approve this call?',
    ].join('\n');
  }
}
