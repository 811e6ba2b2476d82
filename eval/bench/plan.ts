import type { DenseChoice, EmbedderChoice } from './embedders.js';
import type { AuditVariants } from './pipelines.js';

/**
 * The client's transport to toolscope (and to the echo server when direct). toolscope reaches the echo server the same
 * way, except in `streamable-http, stdio downstream`: the client side is HTTP as before, toolscope's downstream is stdio.
 */
export const FORWARDING_TRANSPORTS = ['in-memory', 'stdio', 'streamable-http', 'streamable-http, stdio downstream'] as const;
export type ForwardingTransport = (typeof FORWARDING_TRANSPORTS)[number];

/** What one bench run measures and how often; `full` and `quick` are the two shipped plans. */
export interface BenchPlan {
  readonly name: string;
  /** The whole run stops by itself within this. */
  readonly deadlineMs: number;
  /** Only these eval datasets (default: all). */
  readonly datasets?: ReadonlySet<string>;
  /** Queries routed per run (real ones from the datasets). */
  readonly queries: number;
  /** Warm state folders (embeddings) for every size the dense sections use, filled across runs. */
  readonly stateCache: { readonly embedders: readonly DenseChoice[]; readonly allowanceMs: number };
  readonly routing: {
    /** Route API (`createRouter`) at each size. */
    readonly sizes: readonly number[];
    /** `search_tools` through a gateway at these sizes too (a gateway start costs more: see index build). */
    readonly gatewaySizes: readonly number[];
    /** `search_tools` with learning from use on, its usage history full (the catalog's past requests), at these sizes. */
    readonly learningSizes: readonly number[];
    readonly embedders: readonly EmbedderChoice[];
    readonly runs: number;
    readonly warmupQueries: number;
    readonly allowanceMs: number;
  };
  readonly forwarding: {
    /** Transports measured with the full pipeline. */
    readonly transports: readonly ForwardingTransport[];
    /** Transports measured again with the audit answering before its fsync, or off, to show its share of the overhead. */
    readonly auditVariants: AuditVariants<ForwardingTransport>;
    readonly calls: number;
    readonly runs: number;
    readonly warmupCalls: number;
    readonly allowanceMs: number;
  };
  readonly throughput: {
    /** Client counts measured with the full pipeline. */
    readonly clients: readonly number[];
    /** Client counts measured again with the audit answering before its fsync, or off (each its own gateway). */
    readonly auditVariants: AuditVariants<number>;
    readonly durationMs: number;
    readonly warmupMs: number;
    readonly runs: number;
    readonly allowanceMs: number;
  };
  /** Throughput with 1 and several replicas, file state against Redis (the cost of sharing it). */
  readonly scaleOut: {
    readonly replicas: readonly number[];
    /** Clients over all replicas. */
    readonly clients: number;
    readonly durationMs: number;
    readonly warmupMs: number;
    readonly runs: number;
    readonly allowanceMs: number;
  };
  readonly indexBuild: {
    readonly sizes: readonly number[];
    readonly embedder: DenseChoice;
    readonly firstStartRuns: number;
    readonly warmRuns: number;
    /** Longest a single first start may embed before it is cut (and projected from its progress). */
    readonly firstStartLimitMs: number;
    /** Longest a whole gateway's warm start may take before it is cut. */
    readonly gatewayStartLimitMs: number;
    readonly allowanceMs: number;
  };
  readonly memory: {
    /** A router process (createRouter) at this size. */
    readonly size: number;
    /** A whole gateway serving `search_tools` at this size. */
    readonly gatewaySize: number;
    readonly embedders: readonly EmbedderChoice[];
    readonly servedQueries: number;
    readonly runs: number;
    readonly allowanceMs: number;
  };
  readonly contextCost: { readonly catalogSize: number; readonly queries: number; readonly allowanceMs: number };
}

const ALL_EMBEDDERS: readonly EmbedderChoice[] = ['lexical', 'use-lite', 'transformers'];
/** Transformers first: when a run cannot fill both, the targets' backend gets its cache. */
const DENSE: readonly DenseChoice[] = ['transformers', 'use-lite'];

/**
 * `npm run bench`: everything the issue asks for within 10 minutes. Allowances (ms) cap each section; sections run in
 * the order listed, and the last one gets whatever is left when earlier ones ran long.
 */
export const FULL_PLAN: BenchPlan = {
  name: 'full',
  // Ten minutes, less the few seconds Node and tsx take to start and the run takes to exit.
  deadlineMs: 590_000,
  queries: 120,
  stateCache: { embedders: DENSE, allowanceMs: 20_000 },
  routing: { sizes: [100, 1_000, 10_000], gatewaySizes: [1_000, 10_000], learningSizes: [10_000], embedders: ALL_EMBEDDERS, runs: 3, warmupQueries: 20, allowanceMs: 200_000 },
  forwarding: {
    transports: FORWARDING_TRANSPORTS,
    auditVariants: { 'audit write': ['in-memory', 'streamable-http', 'streamable-http, stdio downstream'], 'audit off': ['in-memory', 'streamable-http'] },
    calls: 300,
    runs: 3,
    warmupCalls: 50,
    // ~29 s without the three audit write cases, which add about half of that.
    allowanceMs: 65_000,
  },
  throughput: {
    clients: [1, 8, 32, 128],
    auditVariants: { 'audit write': [32], 'audit off': [32] },
    durationMs: 3_000,
    warmupMs: 1_000,
    runs: 3,
    // ~67 s without the audit write gateway, which adds a start and three runs of ~4.5 s.
    allowanceMs: 105_000,
  },
  // Four configurations (file and Redis, 1 and 3 replicas): ~4 s per start of three replicas, 2 runs of ~4 s each.
  scaleOut: { replicas: [1, 3], clients: 32, durationMs: 3_000, warmupMs: 1_000, runs: 2, allowanceMs: 70_000 },
  memory: { size: 10_000, gatewaySize: 10_000, embedders: ALL_EMBEDDERS, servedQueries: 50, runs: 2, allowanceMs: 90_000 },
  contextCost: { catalogSize: 1_000, queries: 50, allowanceMs: 35_000 },
  indexBuild: {
    sizes: [1_000, 10_000],
    embedder: 'transformers',
    firstStartRuns: 2,
    warmRuns: 3,
    firstStartLimitMs: 45_000,
    gatewayStartLimitMs: 40_000,
    allowanceMs: 180_000,
  },
};

/** `npm run bench -- --quick`: the same measurements, smaller, in about a minute once the embedding caches are warm. */
export const QUICK_PLAN: BenchPlan = {
  name: 'quick',
  deadlineMs: 120_000,
  queries: 40,
  stateCache: { embedders: DENSE, allowanceMs: 15_000 },
  routing: { sizes: [100, 1_000], gatewaySizes: [100], learningSizes: [100], embedders: ALL_EMBEDDERS, runs: 2, warmupQueries: 5, allowanceMs: 20_000 },
  forwarding: {
    transports: FORWARDING_TRANSPORTS,
    // In process, the cheapest: a second or two.
    auditVariants: { 'audit write': ['in-memory'], 'audit off': [] },
    calls: 100,
    runs: 2,
    warmupCalls: 20,
    allowanceMs: 15_000,
  },
  throughput: {
    clients: [1, 8, 32, 128],
    auditVariants: { 'audit write': [32], 'audit off': [] },
    durationMs: 1_000,
    warmupMs: 300,
    runs: 1,
    allowanceMs: 15_000,
  },
  scaleOut: { replicas: [1, 3], clients: 32, durationMs: 1_000, warmupMs: 300, runs: 1, allowanceMs: 25_000 },
  memory: { size: 1_000, gatewaySize: 100, embedders: ALL_EMBEDDERS, servedQueries: 10, runs: 1, allowanceMs: 15_000 },
  contextCost: { catalogSize: 100, queries: 10, allowanceMs: 10_000 },
  indexBuild: {
    sizes: [100, 1_000],
    embedder: 'transformers',
    firstStartRuns: 1,
    warmRuns: 2,
    firstStartLimitMs: 10_000,
    gatewayStartLimitMs: 10_000,
    allowanceMs: 25_000,
  },
};

/** Catalog sizes that need a warm state folder: routed or searched with an embedder, restarted warm, served for memory. */
export function stateSizes(plan: BenchPlan): number[] {
  const sizes = [
    ...plan.routing.sizes,
    ...plan.routing.gatewaySizes,
    ...plan.routing.learningSizes,
    ...plan.indexBuild.sizes,
    plan.memory.size,
    plan.memory.gatewaySize,
    plan.contextCost.catalogSize,
  ];
  return [...new Set(sizes)].sort((a, b) => a - b);
}

/** The largest catalog any section of `plan` needs. */
export function largestCatalog(plan: BenchPlan): number {
  return Math.max(...stateSizes(plan), plan.contextCost.catalogSize);
}
