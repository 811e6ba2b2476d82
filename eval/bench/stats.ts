import { percentile } from '../../src/eval/metrics.js';

/** One figure over repeated runs: the median, and the min and max as its spread. */
export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly runs: number;
}

export interface LatencyPercentiles {
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
}

/** p50/p95/p99, each as a spread over runs: every run's percentile computed on that run's own samples. */
export interface LatencySpread {
  readonly p50: Spread;
  readonly p95: Spread;
  readonly p99: Spread;
  /** Samples per run. */
  readonly samples: number;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function spread(values: readonly number[]): Spread {
  return {
    median: median(values),
    min: values.length === 0 ? Number.NaN : Math.min(...values),
    max: values.length === 0 ? Number.NaN : Math.max(...values),
    runs: values.length,
  };
}

export function latencyPercentiles(samples: readonly number[]): LatencyPercentiles {
  return { p50: percentile(samples, 50), p95: percentile(samples, 95), p99: percentile(samples, 99) };
}

/** Per-run samples (ms) to percentiles spread over the runs. */
export function latencySpread(runs: ReadonlyArray<readonly number[]>): LatencySpread {
  const perRun = runs.map(latencyPercentiles);
  return {
    p50: spread(perRun.map((run) => run.p50)),
    p95: spread(perRun.map((run) => run.p95)),
    p99: spread(perRun.map((run) => run.p99)),
    samples: runs[0]?.length ?? 0,
  };
}
