import type { Metrics } from '../observability/metrics.js';
import { observeStages } from '../observability/pipeline-metrics.js';
import { traceStages } from '../observability/pipeline-tracing.js';
import type { Policy } from '../policy/policy.js';
import type { CallContext, CallStage } from './call-context.js';
import { chainStages, composeStages, type CallHandler, type ReadHandler } from './compose.js';
import { approveStage } from './stages/approve.js';
import { auditStage } from './stages/audit.js';
import { authenticateStage } from './stages/authenticate.js';
import { forwardStage, type ToolForwarder } from './stages/forward.js';
import { rateLimitStage } from './stages/rate-limit.js';
import { scopeStage } from './stages/scope.js';
import { argumentCheck, validateStage } from './stages/validate.js';

/** Everything the stages need from the rest of the gateway; stages get only their own parts. */
export interface PipelineDeps {
  readonly forwarder: ToolForwarder;
  readonly policy: Policy;
  /** When given, every call and stage is counted and timed (`GET /metrics`). */
  readonly metrics?: Metrics;
  /** When true, each stage of a call that runs in a request's span (`CallContext.trace`) gets a span of its own. */
  readonly traced?: boolean;
}

/**
 * The call pipeline, in order, under the policy rules in effect now. Every forwarded `tools/call` (direct, or through
 * a meta tool such as `call_tool`) passes each of these stages; the last one answers. Audit wraps the rest, so every
 * outcome, refusals included, is recorded before the caller hears of it.
 */
export function pipelineStages(deps: PipelineDeps): CallStage[] {
  const { policy } = deps;
  const rules = policy.current;
  const checkArguments = argumentCheck(policy.validator, rules.argumentRules);
  return [
    ...(policy.audit ? [auditStage(policy.audit)] : []),
    authenticateStage(),
    scopeStage(rules.access),
    validateStage(checkArguments),
    approveStage(rules.approvals, checkArguments),
    rateLimitStage(rules.rateLimiter),
    forwardStage(deps.forwarder),
  ];
}

/** The stages, traced when tracing is on, counted and timed when metrics are on. */
function observedStages(deps: PipelineDeps): CallStage[] {
  const stages = deps.traced ? traceStages(pipelineStages(deps)) : pipelineStages(deps);
  return deps.metrics ? observeStages(stages, deps.metrics) : stages;
}

/**
 * Stages built anew whenever the policy rules change. A call runs through the stages it entered, so one already
 * under way finishes under the rules it started with, and the next call sees the new ones.
 */
function followingPolicy<Handler extends (ctx: CallContext) => Promise<unknown>>(deps: PipelineDeps, build: (stages: CallStage[]) => Handler): Handler {
  let current = build(observedStages(deps));
  deps.policy.on('change', () => (current = build(observedStages(deps))));
  return ((ctx) => current(ctx)) as Handler;
}

export function buildPipeline(deps: PipelineDeps): CallHandler {
  return followingPolicy(deps, composeStages);
}

/** The same stages for resource reads and prompt gets (`CallContext.tool.read`): a refusal is thrown. */
export function buildReadPipeline(deps: PipelineDeps): ReadHandler {
  return followingPolicy(deps, chainStages);
}
