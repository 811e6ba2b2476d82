import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { CallContext, CallStage, DownstreamResult } from './call-context.js';
import { CallRefused, refusalResult } from './refusal.js';

/** Runs a tool call through the pipeline; refusals come back as the caller's tool error. */
export type CallHandler = (ctx: CallContext) => Promise<CallToolResult>;

/**
 * Runs a resource read or prompt get (`ctx.tool.read`) through the pipeline; a refusal is thrown as CallRefused, for
 * the session to answer as a JSON-RPC error (a read has no tool error to carry it).
 */
export type ReadHandler = (ctx: CallContext) => Promise<DownstreamResult>;

/** Chains stages in order; the last one must answer without calling `next`. */
export function chainStages(stages: readonly CallStage[]): ReadHandler {
  const dispatch = (index: number, ctx: CallContext): Promise<DownstreamResult> => {
    const stage = stages[index];
    if (!stage) throw new Error('call pipeline ended without a stage answering (the last stage must forward)');
    return stage.handle(ctx, () => dispatch(index + 1, ctx));
  };
  return (ctx) => dispatch(0, ctx);
}

/**
 * The tool call pipeline. A `CallRefused` thrown anywhere becomes the caller's tool error; stages that wrap (audit)
 * see it first.
 */
export function composeStages(stages: readonly CallStage[]): CallHandler {
  const run = chainStages(stages);
  return async (ctx) => {
    try {
      // A context without `tool.read` is a tool call: the forward stage answers it with the tool's result.
      return (await run(ctx)) as CallToolResult;
    } catch (error) {
      if (error instanceof CallRefused) return refusalResult(error);
      throw error;
    }
  };
}
