import { canonicalJson, sha256Hex } from '../../catalog/canonical-json.js';
import type { CallContext } from '../../pipeline/call-context.js';
import type { AuditLog } from './audit-log.js';
import type { AuditRecord, CallOutcome } from './audit-record.js';
import type { Redactor } from './redactor.js';

export interface CallEnd {
  readonly outcome: CallOutcome;
  readonly refusal?: AuditRecord['refusal'];
  readonly error?: string;
}

/** Turns calls and events into redacted audit lines; resolves once the line is durable. */
export class AuditTrail {
  private log: AuditLog | undefined;

  constructor(private readonly redactor: Redactor) {}

  /** Starts writing to `log`; nothing can be recorded before. */
  open(log: AuditLog): void {
    this.log = log;
  }

  recordCall(ctx: CallContext, receivedArguments: Record<string, unknown>, end: CallEnd): Promise<void> {
    const record: AuditRecord = {
      time: new Date().toISOString(),
      callId: ctx.callId,
      principal: ctx.principal?.name ?? null,
      tool: ctx.tool.exposedName,
      server: ctx.tool.server,
      argumentsSha256: sha256Hex(canonicalJson(receivedArguments)),
      arguments: this.redactor.redact(receivedArguments),
      decisions: this.redactor.redact(ctx.decisions) as AuditRecord['decisions'],
      latencyMs: Date.now() - ctx.startedAt,
      outcome: end.outcome,
      ...(end.refusal && { refusal: this.redactor.redact(end.refusal) as AuditRecord['refusal'] }),
      ...(end.error !== undefined && { error: this.redactor.redactString(end.error) }),
    };
    return this.append(record);
  }

  /** Something the policy did outside a call (a tool quarantined or released). */
  recordEvent(event: string, fields: Record<string, unknown>): Promise<void> {
    return this.append({ time: new Date().toISOString(), event, ...(this.redactor.redact(fields) as object) });
  }

  async close(): Promise<void> {
    await this.log?.close();
  }

  private append(entry: object): Promise<void> {
    if (!this.log) return Promise.reject(new Error('the audit log is not open'));
    return this.log.append(entry);
  }
}
