import { createHmac } from 'node:crypto';
import { dirname } from 'node:path';
import { canonicalJson } from '../../catalog/canonical-json.js';
import type { AuditDurability } from '../../config/policy.js';
import { requestOf } from '../../catalog/tool.js';
import type { CallContext, StageDecision } from '../../pipeline/call-context.js';
import type { Credential } from '../auth/principal.js';
import { auditKey } from './audit-key.js';
import { AuditLog } from './audit-log.js';
import type { AuditRecord, CallOutcome } from './audit-record.js';
import type { Redactor } from './redactor.js';

export interface CallEnd {
  readonly outcome: CallOutcome;
  readonly refusal?: AuditRecord['refusal'];
  readonly error?: string;
}

/**
 * Turns calls and events into redacted audit lines; resolves once the line is durable (as `durability` says).
 * The log file is opened at the first record, so commands that make no calls (`toolscope tools`) never touch it.
 */
export class AuditTrail {
  private log: Promise<AuditLog> | undefined;
  private key: Promise<Buffer> | undefined;

  constructor(
    readonly path: string,
    private readonly redactor: Redactor,
    private readonly durability: AuditDurability = 'fsync',
    /** With shared state: which replica wrote the record, first on every line (each replica keeps its own log). */
    private readonly replica?: string,
  ) {}

  async recordCall(ctx: CallContext, receivedArguments: Record<string, unknown>, end: CallEnd): Promise<void> {
    // As the log's open below: a failure is not remembered, the next record tries again.
    this.key ??= auditKey(dirname(this.path)).catch((error: unknown) => {
      this.key = undefined;
      throw error;
    });
    const argumentsHmac = createHmac('sha256', await this.key).update(canonicalJson(receivedArguments)).digest('hex');
    const request = requestOf(ctx.tool.read);
    const record: AuditRecord = {
      ...(this.replica !== undefined && { replica: this.replica }),
      time: new Date().toISOString(),
      callId: ctx.callId,
      principal: ctx.principal?.name ?? null,
      // Not redacted: ids and subjects are no secrets, and masking one would hide who called.
      ...(ctx.principal?.credential && { credential: ctx.principal.credential }),
      tool: ctx.tool.exposedName,
      server: ctx.tool.server,
      ...(request !== 'tools/call' && { request }),
      argumentsHmac,
      arguments: this.redactor.redact(receivedArguments),
      // An approver's credential kept as it is (see `credential` above); the rest of each decision redacted.
      decisions: ctx.decisions.map(({ credential, ...decision }) => ({ ...(this.redactor.redact(decision) as StageDecision), ...(credential && { credential }) })),
      latencyMs: Date.now() - ctx.startedAt,
      outcome: end.outcome,
      ...(end.refusal && { refusal: this.redactor.redact(end.refusal) as AuditRecord['refusal'] }),
      ...(end.error !== undefined && { error: this.redactor.redactString(end.error) }),
    };
    return this.append(record);
  }

  /**
   * Something the policy did outside a call (a tool quarantined or released, a console action): `credential` is how
   * the principal that did it authenticated (kept as it is: "credential" names a secret to the redactor).
   */
  recordEvent(event: string, fields: Record<string, unknown>, credential?: Credential): Promise<void> {
    return this.append({
      ...(this.replica !== undefined && { replica: this.replica }),
      time: new Date().toISOString(),
      event,
      ...(this.redactor.redact(fields) as object),
      ...(credential && { credential }),
    });
  }

  /**
   * For log rotation (SIGHUP): once the file was moved away, the next records go to a new file at `path`, with the
   * same durability (see AuditLog.reopen). Not open yet: nothing to do, the next record opens the file at `path`.
   */
  async reopen(): Promise<void> {
    await (await this.log)?.reopen();
  }

  async close(): Promise<void> {
    const log = this.log;
    this.log = undefined;
    await (await log)?.close();
  }

  private async append(entry: object): Promise<void> {
    // A failed open is not remembered: the next record tries again (and fails its call again if it must).
    this.log ??= AuditLog.open(this.path, this.durability).catch((error: unknown) => {
      this.log = undefined;
      throw error;
    });
    await (await this.log).append(entry);
  }
}
