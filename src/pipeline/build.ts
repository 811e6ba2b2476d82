import type { CallStage } from './call-context.js';
import { composeStages, type CallHandler } from './compose.js';
import { authenticateStage } from './stages/authenticate.js';
import { forwardStage, type ToolForwarder } from './stages/forward.js';

/** Everything the stages need from the rest of the gateway; stages get only their own parts. */
export interface PipelineDeps {
  readonly forwarder: ToolForwarder;
}

/**
 * The call pipeline, in order. Every forwarded `tools/call` (direct, or through a meta tool such as
 * `call_tool`) passes each of these stages; the last one answers.
 */
export function pipelineStages(deps: PipelineDeps): CallStage[] {
  return [
    authenticateStage(),
    forwardStage(deps.forwarder),
  ];
}

export function buildPipeline(deps: PipelineDeps): CallHandler {
  return composeStages(pipelineStages(deps));
}
