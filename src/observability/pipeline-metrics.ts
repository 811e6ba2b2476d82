import { returnedOutcome, type CallStage } from '../pipeline/call-context.js';
import { CallRefused, WaitCancelled } from '../pipeline/refusal.js';
import type { Metrics } from './metrics.js';

/**
 * The stages, each timed on its own (its time minus the time spent in the stages after it), behind one that counts
 * and times whole calls by outcome and counts refusals by stage and rule. Adds no decision of its own.
 */
export function observeStages(stages: readonly CallStage[], metrics: Metrics): CallStage[] {
  return [callMetricsStage(metrics), ...stages.map((stage) => timedStage(stage, metrics))];
}

function callMetricsStage(metrics: Metrics): CallStage {
  return {
    name: 'metrics',
    async handle(ctx, next) {
      const server = ctx.tool.server;
      const started = performance.now();
      let outcome = 'error';
      try {
        const result = await next();
        const returned = returnedOutcome(result, ctx.signal);
        outcome = returned === 'tool-error' ? 'error' : returned;
        return result;
      } catch (error) {
        if (error instanceof WaitCancelled) {
          outcome = 'cancelled';
        } else if (error instanceof CallRefused) {
          outcome = 'refused';
          metrics.refusals.inc({ stage: error.stage, reason: error.details.rule ?? 'none' });
        }
        throw error;
      } finally {
        metrics.calls.inc({ server, outcome });
        metrics.callDuration.observe({ server, outcome }, (performance.now() - started) / 1000);
      }
    },
  };
}

function timedStage(stage: CallStage, metrics: Metrics): CallStage {
  return {
    name: stage.name,
    async handle(ctx, next) {
      const started = performance.now();
      let inLaterStages = 0;
      try {
        return await stage.handle(ctx, async () => {
          const handedOn = performance.now();
          try {
            return await next();
          } finally {
            inLaterStages += performance.now() - handedOn;
          }
        });
      } finally {
        metrics.stageDuration.observe({ stage: stage.name }, (performance.now() - started - inLaterStages) / 1000);
      }
    },
  };
}
