import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { CallContext, CallStage } from './call-context.js';
import { CallRefused, refusalResult } from './refusal.js';

export type CallHandler = (ctx: CallContext) => Promise<CallToolResult>;

/**
 * Chains stages in order; the last one must answer without calling `next`.
 * A `CallRefused` thrown anywhere becomes the caller's tool error; stages that wrap (audit) see it first.
 */
export function composeStages(stages: readonly CallStage[]): CallHandler {
  const dispatch = (index: number, ctx: CallContext): Promise<CallToolResult> => {
    const stage = stages[index];
    if (!stage) throw new Error('call pipeline ended without a stage answering (the last stage must forward)');
    return stage.handle(ctx, () => dispatch(index + 1, ctx));
  };
  return async (ctx) => {
    try {
      return await dispatch(0, ctx);
    } catch (error) {
      if (error instanceof CallRefused) return refusalResult(error);
      throw error;
    }
  };
}
