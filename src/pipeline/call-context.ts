import type { CallToolResult, ElicitRequest, ElicitResult } from '@modelcontextprotocol/sdk/types.js';
import type { CatalogTool } from '../catalog/tool.js';

/** Who is calling. Policy (scopes, limits) is looked up by `name` in the stages that need it. */
export interface Principal {
  readonly name: string;
}

export type StageOutcome = 'pass' | 'deny' | 'error';

/** What one stage decided about one call; the audit stage writes these down. */
export interface StageDecision {
  readonly stage: string;
  readonly outcome: StageOutcome;
  readonly reason?: string;
}

/** What the calling MCP client can do for us mid-call (elicitation when it advertised the capability). */
export interface ClientChannel {
  /** `timeoutMs`: how long the client may take (the SDK's own request timeout would otherwise cut in at 60 s). */
  readonly elicit?: (params: ElicitRequest['params'], options?: { readonly timeoutMs?: number }) => Promise<ElicitResult>;
}

/** One forwarded `tools/call`, as it travels the pipeline. */
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
}

export type Next = () => Promise<CallToolResult>;

/** A unit of the call pipeline, like a Hono middleware: act, then call `next()` or refuse. */
export interface CallStage {
  readonly name: string;
  handle(ctx: CallContext, next: Next): Promise<CallToolResult>;
}
