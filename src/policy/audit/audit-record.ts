import type { requestOf } from '../../catalog/tool.js';
import type { StageDecision } from '../../pipeline/call-context.js';
import type { Credential } from '../auth/principal.js';

export type CallOutcome = 'ok' | 'tool-error' | 'cancelled' | 'refused' | 'error';

/** One line of the audit log: one call, every stage's say, and how it ended. */
export interface AuditRecord {
  /** The replica that wrote it, when replicas share state (`state.backend: "redis"`). */
  readonly replica?: string;
  readonly time: string;
  readonly callId: string;
  readonly principal: string | null;
  /**
   * How the caller authenticated: which token (`{"kind": "token", "id": …}`, the id `toolscope token list` shows, or
   * `"config"`: where the config holds its hash), which OAuth subject and client (`{"kind": "oauth", "subject": …,
   * "clientId": …}`), or a stdio session's `--as` (`{"kind": "stdio"}`). Absent when toolscope runs open.
   */
  readonly credential?: Credential;
  readonly tool: string;
  readonly server: string;
  /** The MCP request, when not a tool call (`tool` is then a resource's URI or a prompt's name). */
  readonly request?: Exclude<ReturnType<typeof requestOf>, 'tools/call'>;
  /**
   * HMAC-SHA256 of the arguments as received, in canonical JSON, keyed by the state folder's `audit.key`: proves what
   * was asked, to whoever holds the key, without keeping secrets (and without letting a reader test guesses of them).
   */
  readonly argumentsHmac: string;
  /** The arguments as received, secrets masked. */
  readonly arguments: unknown;
  readonly decisions: readonly StageDecision[];
  readonly latencyMs: number;
  readonly outcome: CallOutcome;
  readonly refusal?: { readonly stage: string; readonly reason: string; readonly rule?: string };
  readonly error?: string;
}

/** Anything else the audit log records, e.g. an approval answered or a tool quarantined. */
export interface AuditEvent {
  readonly replica?: string;
  readonly time: string;
  readonly event: string;
  readonly [field: string]: unknown;
}
