import type {
  CallToolResult,
  CompleteResult,
  EmptyResult,
  GetPromptResult,
  ReadResourceResult,
  CreateMessageRequest,
  CreateMessageResult,
  CreateMessageResultWithTools,
  ElicitRequest,
  ElicitResult,
  ListRootsResult,
  LoggingMessageNotification,
  Progress,
} from '@modelcontextprotocol/sdk/types.js';
import type { CatalogTool } from '../catalog/tool.js';
import type { RequestTrace } from '../observability/tracing.js';
import type { Credential, Principal } from '../policy/auth/principal.js';

/** `cancelled`: the call was cancelled (by its client, or toolscope's stop) while the stage held it, e.g. waiting for approval. */
export type StageOutcome = 'pass' | 'deny' | 'error' | 'cancelled';

/** What one stage decided about one call; the audit stage writes these down. */
export interface StageDecision {
  readonly stage: string;
  readonly outcome: StageOutcome;
  readonly reason?: string;
  /** How whoever decided authenticated, when it was not the caller: an approver answering over HTTP or the console. */
  readonly credential?: Credential;
}

export interface ClientRequestOptions {
  /** How long the client may take (the SDK's own request timeout would otherwise cut in at 60 s). */
  readonly timeoutMs?: number;
  /** Cancels the request at the client; the call's own cancellation always does. */
  readonly signal?: AbortSignal;
}

/**
 * What the calling MCP client can do for us mid-call. Each request is present only when the client declared the
 * capability; `progress` only when the call carried a progress token. All of it rides on the call's own stream.
 */
export interface ClientChannel {
  /** The client session the call came from: what a downstream server asks mid-call goes back to this session only. */
  readonly session?: string;
  /**
   * Why a downstream server's request of this kind may not be relayed to this client (its principal's relay scope),
   * or undefined when it may. Absent: no restriction.
   */
  readonly relayRefusal?: (server: string, request: 'sampling' | 'elicitation' | 'roots') => string | undefined;
  /** Reports progress to the client under the client's own progress token. */
  readonly progress?: (progress: Progress) => void;
  /** Sends a server's log message, sent during this call, to the client (within the level the client set). */
  readonly log?: (params: LoggingMessageNotification['params']) => void;
  readonly elicit?: (params: ElicitRequest['params'], options?: ClientRequestOptions) => Promise<ElicitResult>;
  readonly createMessage?: (
    params: CreateMessageRequest['params'],
    options?: ClientRequestOptions,
  ) => Promise<CreateMessageResult | CreateMessageResultWithTools>;
  readonly listRoots?: (options?: ClientRequestOptions) => Promise<ListRootsResult>;
}

/** One forwarded `tools/call`, resource read or prompt get, as it travels the pipeline. */
export interface CallContext {
  readonly callId: string;
  readonly principal: Principal | undefined;
  readonly tool: CatalogTool;
  /** Stages may rewrite arguments (e.g. fixed values); the forward stage sends what is here. */
  arguments: Record<string, unknown>;
  readonly signal: AbortSignal;
  readonly client: ClientChannel;
  readonly decisions: StageDecision[];
  readonly startedAt: number;
  /** The span of the MCP request this call serves, while tracing is on: each stage runs in a span within it. */
  readonly trace?: RequestTrace;
}

/** What the pipeline answers: a tool's result, or what the server answered another request (see `CatalogTool.read`). */
export type DownstreamResult = CallToolResult | ReadResourceResult | GetPromptResult | CompleteResult | EmptyResult;

/** Whether a result is a tool's own error (`isError`): the call was answered, with a failure. */
export function isToolError(result: DownstreamResult): boolean {
  return 'isError' in result && result.isError === true;
}

/**
 * How a call that returned a result ended: a call its client (or toolscope's stop) cancelled ends as a tool error
 * too, but is no failure of the tool.
 */
export function returnedOutcome(result: DownstreamResult, signal: AbortSignal): 'ok' | 'tool-error' | 'cancelled' {
  if (!isToolError(result)) return 'ok';
  return signal.aborted ? 'cancelled' : 'tool-error';
}

export type Next = () => Promise<DownstreamResult>;

/** A unit of the call pipeline, like a Hono middleware: act, then call `next()` or refuse. */
export interface CallStage {
  readonly name: string;
  handle(ctx: CallContext, next: Next): Promise<DownstreamResult>;
}
