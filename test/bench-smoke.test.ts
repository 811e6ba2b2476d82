import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/load.js';
import { writeBenchConfig } from '../eval/bench/bench-config.js';
import { runBench } from '../eval/bench/bench.js';
import { STAND_IN_MODEL } from '../eval/bench/embedders.js';
import { SHARED_ROOT } from '../eval/bench/paths.js';
import { PIPELINES, pipelineAudit } from '../eval/bench/pipelines.js';
import { FORWARDING_TRANSPORTS, type BenchPlan } from '../eval/bench/plan.js';
import type { BenchReport } from '../eval/bench/report.js';
import { benchMarkdown } from '../eval/bench/report-markdown.js';
import type { LatencySpread, Spread } from '../eval/bench/stats.js';

/**
 * The quick bench's building blocks end to end on a 20-tool catalog (our own dataset only): real embedders, real
 * child processes, real MCP sessions over every transport. Checks the report's shape and that its values make sense;
 * speed targets belong to `npm run bench`, not to this test.
 */
const TOOLS = 20;
const QUERIES = 6;
const SMOKE_PLAN: BenchPlan = {
  name: 'smoke',
  deadlineMs: 400_000,
  datasets: new Set(['mcp-catalog']),
  queries: QUERIES,
  stateCache: { embedders: ['transformers', 'use-lite'], allowanceMs: 120_000 },
  routing: { sizes: [TOOLS], gatewaySizes: [TOOLS], learningSizes: [TOOLS], embedders: ['lexical', 'use-lite', 'transformers'], runs: 2, warmupQueries: 2, allowanceMs: 60_000 },
  forwarding: {
    transports: FORWARDING_TRANSPORTS,
    auditVariants: { 'audit write': ['in-memory', 'streamable-http'], 'audit off': ['in-memory'] },
    calls: 10,
    runs: 2,
    warmupCalls: 2,
    allowanceMs: 60_000,
  },
  throughput: {
    clients: [1, 32],
    auditVariants: { 'audit write': [32], 'audit off': [32] },
    durationMs: 1_000,
    warmupMs: 200,
    runs: 1,
    allowanceMs: 60_000,
  },
  scaleOut: { replicas: [1, 3], clients: 6, durationMs: 500, warmupMs: 100, runs: 1, allowanceMs: 60_000 },
  memory: { size: TOOLS, gatewaySize: TOOLS, embedders: ['lexical', 'transformers'], servedQueries: 3, runs: 1, allowanceMs: 60_000 },
  contextCost: { catalogSize: TOOLS, queries: 2, allowanceMs: 60_000 },
  indexBuild: { sizes: [TOOLS], embedder: 'transformers', firstStartRuns: 1, warmRuns: 1, firstStartLimitMs: 60_000, gatewayStartLimitMs: 60_000, allowanceMs: 60_000 },
};

function expectSpread(value: Spread, runs: number): void {
  expect(value.runs).toBe(runs);
  expect(Number.isFinite(value.median)).toBe(true);
  expect(value.min).toBeLessThanOrEqual(value.median);
  expect(value.median).toBeLessThanOrEqual(value.max);
}

function expectLatency(latency: LatencySpread, runs: number, samples: number): void {
  expect(latency.samples).toBe(samples);
  for (const percentile of [latency.p50, latency.p95, latency.p99]) {
    expectSpread(percentile, runs);
    expect(percentile.min).toBeGreaterThan(0);
  }
  expect(latency.p50.median).toBeLessThanOrEqual(latency.p95.median);
  expect(latency.p95.median).toBeLessThanOrEqual(latency.p99.median);
}

describe('npm run bench building blocks (smoke)', () => {
  let dir: string;
  let report: BenchReport;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'toolscope-bench-smoke-'));
    const run = await runBench({
      plan: SMOKE_PLAN,
      datasetsRoot: join(SHARED_ROOT, 'datasets'),
      stateRoot: join(dir, 'state'),
      workDir: dir,
      model: STAND_IN_MODEL,
      command: 'bench smoke test',
    });
    // What run.ts writes: the report must survive JSON.
    report = JSON.parse(JSON.stringify(run)) as BenchReport;
  }, 400_000);

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('finishes every section within its allowance', () => {
    const sections = report.sections;
    for (const name of ['stateCache', 'routing', 'forwarding', 'throughput', 'scaleOut', 'memory', 'contextCost', 'indexBuild'] as const) {
      expect({ name, status: sections[name]?.status, note: sections[name]?.note }).toEqual({ name, status: 'done', note: undefined });
    }
    expect(report.elapsedMs).toBeLessThan(SMOKE_PLAN.deadlineMs);
    expect(report.machine.cpus).toBeGreaterThan(0);
    expect(report.catalog).toMatchObject({ largest: TOOLS, datasets: ['mcp-catalog'], queries: QUERIES });
  });

  it('fills the warm state folders once, embedding each tool for each embedder', () => {
    const fills = report.sections.stateCache!.result.fills;
    expect(fills.map(({ embedder, size, status, embeddedTools }) => ({ embedder, size, status, embeddedTools }))).toEqual([
      { embedder: 'transformers', size: TOOLS, status: 'filled', embeddedTools: TOOLS },
      { embedder: 'use-lite', size: TOOLS, status: 'filled', embeddedTools: TOOLS },
    ]);
  });

  it('routes every query with each embedder, through the route API and search_tools, with p50 <= p95 <= p99', () => {
    const routing = report.sections.routing!.result;
    expect(routing.skipped).toEqual([]);
    expect(routing.rows.map((row) => [row.path, row.embedder, row.retriever, row.tools])).toEqual([
      ['route API', 'lexical', 'bm25', TOOLS],
      ['search_tools', 'lexical', 'bm25', TOOLS],
      ['search_tools, learning on', 'lexical', 'bm25', TOOLS],
      ['route API', 'use-lite', 'hybrid', TOOLS],
      ['search_tools', 'use-lite', 'hybrid', TOOLS],
      ['search_tools, learning on', 'use-lite', 'hybrid', TOOLS],
      ['route API', 'transformers', 'hybrid', TOOLS],
      ['search_tools', 'transformers', 'hybrid', TOOLS],
      ['search_tools, learning on', 'transformers', 'hybrid', TOOLS],
    ]);
    const transformersId = 'transformers:minilm-l6-random:fp32';
    expect(routing.rows.map((row) => row.embedderId)).toEqual([
      ...['none', 'none', 'none'],
      ...['use-lite', 'use-lite', 'use-lite'],
      ...[transformersId, transformersId, transformersId],
    ]);
    // Learning from use ran with the whole usage history: the pool's other queries, none of those timed.
    const learning = routing.rows.filter((row) => row.path === 'search_tools, learning on');
    for (const row of learning) expect(row.learnedChoices).toBeGreaterThan(report.catalog.pastRequests * 0.99);
    expect(report.catalog.pastRequests).toBeGreaterThan(10);
    expect(routing.rows.filter((row) => row.path !== 'search_tools, learning on').every((row) => row.learnedChoices === undefined)).toBe(true);
    for (const row of routing.rows) {
      expectLatency(row.latencyMs, 2, QUERIES);
      const { singleAction, multiAction } = row.byRequest;
      expect(singleAction.queries + multiAction.queries).toBe(QUERIES);
      if (singleAction.queries > 0) expect(singleAction.p50Ms).toBeGreaterThan(0);
    }
    expect(routing.queryEmbedding.map((entry) => entry.embedder)).toEqual(['use-lite', 'transformers']);
    for (const entry of routing.queryEmbedding) expectLatency(entry.latencyMs, 1, QUERIES);
  });

  it('compares direct and through-toolscope calls on every transport, with the full pipeline read from the gateway', () => {
    const forwarding = report.sections.forwarding!.result;
    // Each transport's pipelines side by side.
    expect(forwarding.rows.map((row) => [row.transport, row.pipeline])).toEqual([
      ['in-memory', 'full'],
      ['in-memory', 'audit write'],
      ['in-memory', 'audit off'],
      ['stdio', 'full'],
      ['streamable-http', 'full'],
      ['streamable-http', 'audit write'],
      ['streamable-http, stdio downstream', 'full'],
    ]);
    expect(forwarding.stages).toEqual(['audit', 'authenticate', 'scope', 'validate', 'approve', 'rate-limit', 'forward']);
    for (const row of forwarding.rows) {
      expectLatency(row.directMs, 2, 10);
      expectLatency(row.throughToolscopeMs, 2, 10);
      expectSpread(row.addedP50Ms, 2);
      expectSpread(row.ratioP50, 2);
      expect(row.ratioP50.min).toBeGreaterThan(0);
    }
  });

  it('measures throughput over Streamable HTTP at each client count without errors', () => {
    const throughput = report.sections.throughput!.result;
    expect(throughput.stages).toContain('audit');
    expect(throughput.rows.map((row) => [row.clients, row.pipeline])).toEqual([
      [1, 'full'],
      [32, 'full'],
      [32, 'audit write'],
      [32, 'audit off'],
    ]);
    for (const row of throughput.rows) {
      expect(row.errors).toBe(0);
      expect(row.firstErrors).toEqual([]);
      expectSpread(row.callsPerSecond, 1);
      expect(row.callsPerSecond.median).toBeGreaterThan(0);
      expect(row.cpuCores.toolscope).toBeGreaterThan(0);
      expect(row.toolscopeCpuMsPerCall).toBeGreaterThan(0);
    }
  });

  it('measures 1 and 3 replicas on file state and on a shared Redis without errors, with the CPU Redis spent', () => {
    const scaleOut = report.sections.scaleOut!.result;
    expect(scaleOut.skipped).toEqual([]);
    expect(scaleOut.rows.map((row) => [row.state, row.replicas])).toEqual([
      ['file', 1],
      ['file', 3],
      ['redis', 1],
      ['redis', 3],
    ]);
    for (const row of scaleOut.rows) {
      expect(row.errors, row.firstErrors.join('; ')).toBe(0);
      expect(row.callsPerSecond.median).toBeGreaterThan(0);
      expect(row.toolscopeCpuMsPerCall).toBeGreaterThan(0);
      // Redis's CPU is read in clock ticks (10 ms): a one-second smoke run on a busy machine may spend less than one.
      if (row.state === 'redis') expect(row.redisCpuMsPerCall).toBeGreaterThanOrEqual(0);
      else expect(row.redisCpuMsPerCall).toBe(0);
    }
    expect(benchMarkdown(report)).toContain('## 3b. Scale-out: replicas on file state and on Redis');
  });

  it('embeds none on a warm restart and every tool on a first start, and times a whole gateway warm start', () => {
    const [row] = report.sections.indexBuild!.result.rows;
    expect(row).toMatchObject({ tools: TOOLS, embedder: 'transformers:minilm-l6-random:fp32', notes: [] });
    expect(row!.firstStart!.embeddedTools).toBe(TOOLS);
    expect(row!.warmRestart!.embeddedTools).toBe(0);
    expect(row!.firstStartCut).toBeUndefined();
    for (const times of [row!.firstStart!, row!.warmRestart!]) {
      expect(times.timeToServingMs.median).toBeCloseTo(times.embedderLoadMs.median + times.indexBuildMs.median, 6);
      expect(times.processStartToReadyMs.median).toBeGreaterThan(times.timeToServingMs.median);
    }
    const gateway = row!.gatewayWarmStart as { startToServingMs: number; processStartToReadyMs: number };
    expect(gateway.startToServingMs).toBeGreaterThan(0);
    expect(gateway.processStartToReadyMs).toBeGreaterThan(gateway.startToServingMs);
  });

  it('reads the peak RSS of a serving router and gateway, higher with a model loaded', () => {
    const memory = report.sections.memory!.result;
    expect(memory.skipped).toEqual([]);
    expect(memory.rows.map((row) => [row.process, row.embedder, row.tools])).toEqual([
      ['router', 'lexical', TOOLS],
      ['router', 'transformers', TOOLS],
      ['gateway', 'lexical', TOOLS],
      ['gateway', 'transformers', TOOLS],
    ]);
    const [router, routerWithModel, gateway, gatewayWithModel] = memory.rows;
    expect(routerWithModel!.embedderId).toBe('transformers:minilm-l6-random:fp32');
    expect(gatewayWithModel!.embedderId).toBe('transformers:minilm-l6-random:fp32');
    for (const row of memory.rows) expectSpread(row.peakRssMb, 1);
    expect(router!.peakRssMb.median).toBeGreaterThan(20);
    expect(routerWithModel!.peakRssMb.median).toBeGreaterThan(router!.peakRssMb.median);
    expect(gatewayWithModel!.peakRssMb.median).toBeGreaterThan(gateway!.peakRssMb.median);
  });

  it('counts the tokens a client receives for the demo config and the pooled catalog', () => {
    const [demo, pooled] = report.sections.contextCost!.result.rows;
    // everything, filesystem and memory list dozens of tools, each far above 20 tokens.
    expect(demo!.tools).toBeGreaterThan(20);
    expect(demo!.allModeTokens).toBeGreaterThan(20 * demo!.tools);
    expect(pooled!.tools).toBe(TOOLS);
    expect(pooled!.allModeTokens).toBeGreaterThan(20 * TOOLS);
    for (const row of [demo!, pooled!]) {
      expect(row.embedder).toBe('transformers');
      expect(row.search.queries).toBeGreaterThan(0);
      expect(row.search.listingTokens).toBeGreaterThan(0);
      expect(row.search.resultTokens.min).toBeGreaterThan(0);
      expect(row.search.perRequestTokens).toBeCloseTo(row.search.listingTokens + row.search.resultTokens.mean, 6);
    }
    // Two meta tools instead of every tool: the point of search mode.
    expect(demo!.search.listingTokens).toBeLessThan(demo!.allModeTokens);
  });

  it('checks every target, leaving the 10,000-tool ones unmeasured at this size', () => {
    expect(report.targets).toHaveLength(11);
    for (const target of report.targets) {
      const atTargetSize = /10,000 tools/.test(target.target);
      expect({ target: target.target, status: atTargetSize ? target.status : 'measured' }).toEqual({
        target: target.target,
        status: atTargetSize ? 'not measured' : 'measured',
      });
      if (!atTargetSize) expect(['met', 'missed']).toContain(target.status);
    }
    const markdown = benchMarkdown(report);
    for (const heading of ['## Targets', '## 1. Routing', '## 2. Forwarding', '## 3. Throughput', '## 4. Index build', '## 5. Memory', '## 6. Context cost']) {
      expect(markdown).toContain(heading);
    }
    expect(markdown).toContain('| streamable-http | audit write |');
    expect(markdown).toContain('| 32 | audit write |');
    expect(markdown).toContain('"transformers" is `minilm-l6-random:fp32` (the real model\'s architecture with random weights');
  });

  it('names the audit variants measured over Streamable HTTP in the forwarding targets\' context when missed', () => {
    const httpWrite = report.sections.forwarding!.result.rows.find((row) => row.transport === 'streamable-http' && row.pipeline === 'audit write')!;
    for (const target of report.targets.filter((t) => t.target.startsWith('forwarding over Streamable HTTP') && t.status === 'missed')) {
      const added = /with audit durability `write` \(answered before the fsync\): added p50 (-?[\d.]+) ms/.exec(target.context ?? '');
      expect(Number(added?.[1])).toBeCloseTo(httpWrite.addedP50Ms.median, 0);
      // Only what was measured: the audit stage was not turned off over HTTP in this plan.
      expect(target.context).not.toContain('audit stage off');
    }
  });
});

describe('bench gateway config', () => {
  it('writes each pipeline\'s audit setting into a config toolscope loads', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'toolscope-bench-config-'));
    try {
      const audits = [];
      for (const pipeline of PIPELINES) {
        const config = await writeBenchConfig(join(dir, pipeline.replaceAll(' ', '-')), { transport: 'stdio' }, { audit: pipelineAudit(pipeline) });
        const { audit } = (await loadConfig(config.file)).config;
        audits.push([pipeline, audit.enabled, audit.enabled && audit.durability]);
      }
      expect(audits).toEqual([
        ['full', true, 'fsync'],
        ['audit write', true, 'write'],
        ['audit off', false, false],
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
