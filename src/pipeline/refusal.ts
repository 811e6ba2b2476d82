import { ErrorCode, McpError, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { StateUnavailableError } from '../state/unavailable.js';
import { protocolError } from '../protocol-error.js';

export interface RefusalDetails {
  /** The config rule that decided, e.g. `principals.reader.deny[0]: filesystem:write_*`. */
  readonly rule?: string;
  readonly retryAfterSeconds?: number;
}

/** Thrown by a stage that stops a call; nothing past that stage runs. */
export class CallRefused extends Error {
  constructor(
    readonly stage: string,
    readonly reason: string,
    readonly details: RefusalDetails = {},
  ) {
    super(`${stage}: ${reason}`);
    this.name = 'CallRefused';
  }
}

/**
 * A call that ended while it waited for a person because it was cancelled, by its client (a cancellation, a closed
 * session) or by toolscope's stop: nobody refused it, so the audit log and the metrics count it as `cancelled`, with
 * `decision` (who cancelled, after how long, waiting where) as the stage's reason. It is a CallRefused so that a client
 * still listening (toolscope stopping) is answered with `reason` as before.
 */
export class WaitCancelled extends CallRefused {
  constructor(
    stage: string,
    reason: string,
    /** Who cancelled: the caller's client, or toolscope's stop. */
    readonly by: 'client' | 'stop',
    /** What the audit log's decision of `stage` says. */
    readonly decision: string,
  ) {
    super(stage, reason);
    this.name = 'WaitCancelled';
  }
}

/** Where a refusal's facts travel in the result's `_meta`, for programs that act on them (e.g. retry-after). */
export const REFUSAL_META_KEY = 'toolscope/refusal';

/**
 * The MCP tool error a caller sees for a refusal: readable text, plus the same facts under `_meta`.
 * Not as `structuredContent`: a tool with an outputSchema would then fail the client's output validation.
 */
export function refusalResult(refusal: CallRefused): CallToolResult {
  return {
    isError: true,
    content: [{ type: 'text', text: refusalText(refusal, 'call') }],
    _meta: refusalMeta(refusal),
  };
}

/** JSON-RPC error code of a refused request that is not a tool call (e.g. a rate-limited `tools/list` search). */
export const REFUSED_REQUEST_CODE = -32000;

/** The stage whose refusals mean the request's arguments were wrong, whoever noticed first. */
export const VALIDATE_STAGE = 'validate';

/**
 * A refused request that is not a tool call, as a JSON-RPC error: the same text, the same facts under `data`.
 * Invalid arguments are -32602 (invalid params), as the downstream itself would answer them; other refusals
 * are toolscope's own (-32000).
 */
export function refusalError(refusal: CallRefused, request: string): McpError {
  const code = refusal.stage === VALIDATE_STAGE ? ErrorCode.InvalidParams : REFUSED_REQUEST_CODE;
  return protocolError(code, refusalText(refusal, request), refusalMeta(refusal));
}

/** "toolscope refused this call at the rate-limit stage: … (rule …). Retry after 3 s." The rule is named once. */
export function refusalText(refusal: CallRefused, request: string): string {
  const retry = refusal.details.retryAfterSeconds;
  const rule = refusal.details.rule;
  return (
    `toolscope refused this ${request} at the ${refusal.stage} stage: ${refusal.reason}` +
    (rule && !refusal.reason.includes(rule) ? ` (rule ${rule})` : '') +
    (retry !== undefined ? `. Retry after ${retry} s.` : '')
  );
}

function refusalMeta(refusal: CallRefused): Record<string, unknown> {
  return { [REFUSAL_META_KEY]: { stage: refusal.stage, reason: refusal.reason, ...refusal.details } };
}

/** The rule named when shared state is unreachable: the `state` section of the config. */
export const STATE_RULE = 'state';

/**
 * Runs a step that needs the shared state; if the state cannot be reached, the request is refused at `stage` with
 * the reason (fail closed: never allowed because the state is unknown), and may be retried shortly.
 */
export async function failClosed<T>(stage: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof StateUnavailableError) throw new CallRefused(stage, error.message, { rule: STATE_RULE, retryAfterSeconds: 1 });
    throw error;
  }
}
