import type { ContextCostResult } from './context-cost.js';
import type { SectionOutcome } from './deadline.js';
import type { ForwardingResult } from './forwarding.js';
import type { IndexBuildResult } from './index-build.js';
import type { MemoryResult } from './memory.js';
import type { RoutingResult } from './routing.js';
import type { ScaleOutResult } from './scale-out.js';
import type { StateFill } from './state-cache.js';
import type { ThroughputResult } from './throughput.js';

export interface MachineInfo {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memoryMb: number;
  readonly node: string;
  /** 1-minute load average when the run started and ended: other work on the machine skews the figures. */
  readonly loadAverage: { readonly start: number; readonly end: number };
}

export interface BenchSections {
  readonly stateCache: SectionOutcome<{ readonly fills: StateFill[] }>;
  readonly routing: SectionOutcome<RoutingResult>;
  readonly forwarding: SectionOutcome<ForwardingResult>;
  readonly throughput: SectionOutcome<ThroughputResult>;
  readonly scaleOut: SectionOutcome<ScaleOutResult>;
  readonly indexBuild: SectionOutcome<IndexBuildResult>;
  readonly memory: SectionOutcome<MemoryResult>;
  readonly contextCost: SectionOutcome<ContextCostResult>;
}

export type TargetStatus = 'met' | 'missed' | 'not measured';

export interface TargetCheck {
  readonly target: string;
  readonly measured: string;
  readonly status: TargetStatus;
  /** What the run shows about why (for a miss), or why it was not measured. */
  readonly context?: string;
}

export interface BenchReport {
  readonly toolscopeVersion: string;
  readonly plan: string;
  readonly command: string;
  /** What "transformers" means in this report: `model:dtype` (the stand-in with random weights, or --model-dir's). */
  readonly transformersModel: string;
  readonly generatedAt: string;
  readonly machine: MachineInfo;
  readonly deadlineMs: number;
  readonly elapsedMs: number;
  readonly catalog: {
    readonly largest: number;
    readonly distinctTools: number;
    readonly datasets: readonly string[];
    readonly queries: number;
    /** Other queries of the pool, the usage history of `search_tools, learning on`. */
    readonly pastRequests: number;
  };
  readonly sections: Partial<BenchSections>;
  readonly targets: TargetCheck[];
}
