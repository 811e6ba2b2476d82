import type { CallStage } from '../pipeline/call-context.js';

/**
 * The stages, each in a span of its own when the call runs in a request's span (`ctx.trace`): a stage's span holds
 * the stages after it, as the stage holds them. Adds no decision of its own.
 */
export function traceStages(stages: readonly CallStage[]): CallStage[] {
  return stages.map((stage) => ({
    name: stage.name,
    handle: (ctx, next) => (ctx.trace ? ctx.trace.stage(stage.name, () => stage.handle(ctx, next)) : stage.handle(ctx, next)),
  }));
}
