import type { AuditDurability } from '../../src/config/policy.js';

/** How a measured gateway audits its calls: answering once the line is fsynced or written, or not auditing at all. */
export type BenchAudit = AuditDurability | 'off';

/**
 * The call pipelines the forwarding and throughput sections compare. `full`: every stage as configured by default (a
 * call answered once its audit line is fsynced). `audit write`: answered once the kernel holds the line, the fsync
 * following. `audit off`: no audit stage, to show its whole share.
 */
export const PIPELINES = ['full', 'audit write', 'audit off'] as const;
export type Pipeline = (typeof PIPELINES)[number];
/** A pipeline measured only where the plan lists it, next to `full`. */
export type AuditVariant = Exclude<Pipeline, 'full'>;
export const AUDIT_VARIANTS: readonly AuditVariant[] = PIPELINES.filter((pipeline) => pipeline !== 'full');

const PIPELINE_AUDIT: Readonly<Record<Pipeline, BenchAudit>> = { full: 'fsync', 'audit write': 'write', 'audit off': 'off' };

export function pipelineAudit(pipeline: Pipeline): BenchAudit {
  return PIPELINE_AUDIT[pipeline];
}

/** Per audit variant, where it is measured again (transports, client counts). */
export type AuditVariants<T> = { readonly [variant in AuditVariant]: readonly T[] };

/** Where `pipeline` is measured (transports, client counts): `full` wherever the plan measures, a variant where listed. */
export function measuredAt<T>(pipeline: Pipeline, full: readonly T[], variants: AuditVariants<T>): readonly T[] {
  return pipeline === 'full' ? full : variants[pipeline];
}
