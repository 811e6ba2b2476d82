import { writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { VERSION } from '../../src/version.js';
import { loadBenchCatalog, writeCatalogFile, type BenchCatalog } from './bench-catalog.js';
import { withBundledChildren } from './child-process.js';
import type { TransformersModel } from './embedders.js';
import { contextCostBench } from './context-cost.js';
import { ABANDON_GRACE_MS, Deadline, runSection, type SectionOutcome } from './deadline.js';
import { forwardingBench } from './forwarding.js';
import { indexBuildBench } from './index-build.js';
import { memoryBench } from './memory.js';
import { largestCatalog, stateSizes, type BenchPlan } from './plan.js';
import type { BenchReport, BenchSections, MachineInfo } from './report.js';
import { routingBench } from './routing.js';
import { scaleOutBench } from './scale-out.js';
import { StateCache, type StateFill } from './state-cache.js';
import { checkTargets } from './targets.js';
import { throughputBench } from './throughput.js';

export interface BenchOptions {
  readonly plan: BenchPlan;
  /** The shared datasets folder (public benchmarks). */
  readonly datasetsRoot: string;
  /** Warm toolscope state folders kept between runs (see StateCache). */
  readonly stateRoot: string;
  /** Scratch folder for this run's catalog and query files. */
  readonly workDir: string;
  /** The model the `transformers` choice runs (STAND_IN_MODEL unless `--model-dir`). */
  readonly model: TransformersModel;
  /** The command line, recorded in the report. */
  readonly command: string;
  readonly log?: (line: string) => void;
  /** Called with the report so far after every section, so a run stopped from outside still leaves one. */
  readonly onSection?: (report: BenchReport) => Promise<void>;
}

/** Kept back from the deadline: a section cut at its end may take the abandon grace to stop, then the report is written. */
const RESERVE_MS = ABANDON_GRACE_MS + 5_000;

/** Runs every section of the plan within its deadline; a section that runs out of time is cut and reported so. */
export function runBench(options: BenchOptions): Promise<BenchReport> {
  return withBundledChildren(() => runSections(options));
}

async function runSections(options: BenchOptions): Promise<BenchReport> {
  const { plan } = options;
  const log = options.log ?? (() => undefined);
  const started = Date.now();
  const deadline = new Deadline(plan.deadlineMs, RESERVE_MS);
  const loadAtStart = loadavg()[0]!;
  const { catalog, catalogFile, queriesFile, states } = await prepareInputs(options);
  log(`catalog: ${catalog.tools.length} tools (${catalog.distinctTools} distinct) from ${catalog.datasets.join(', ')}; ${catalog.queries.length} queries`);

  const sections: Partial<Record<keyof BenchSections, SectionOutcome<unknown>>> = {};
  const report = (): BenchReport => ({
    toolscopeVersion: VERSION,
    plan: plan.name,
    command: options.command,
    transformersModel: `${options.model.model}:${options.model.dtype}`,
    generatedAt: new Date().toISOString(),
    machine: machineInfo(loadAtStart),
    deadlineMs: plan.deadlineMs,
    elapsedMs: Date.now() - started,
    catalog: { largest: catalog.tools.length, distinctTools: catalog.distinctTools, datasets: catalog.datasets, queries: catalog.queries.length, pastRequests: catalog.pastRequests.length },
    sections: sections as Partial<BenchSections>,
    targets: checkTargets(sections as Partial<BenchSections>),
  });
  const section = async <T>(name: keyof BenchSections, allowanceMs: number, result: T, body: (signal: AbortSignal, result: T) => Promise<void>) => {
    log(`${name}: starting (allowance ${(Math.min(allowanceMs, deadline.remainingMs()) / 1000).toFixed(0)} s)`);
    const outcome = await runSection(deadline, allowanceMs, result, body);
    sections[name] = outcome;
    log(`${name}: ${outcome.status} in ${(outcome.elapsedMs / 1000).toFixed(1)} s${outcome.note ? ` (${outcome.note})` : ''}`);
    await options.onSection?.(report());
  };

  await section('stateCache', plan.stateCache.allowanceMs, { fills: [] as StateFill[] }, async (signal, result) => {
    for (const embedder of plan.stateCache.embedders) await states.fill(embedder, stateSizes(plan), signal, result.fills);
  });
  await section('routing', plan.routing.allowanceMs, { rows: [], queryEmbedding: [], skipped: [] }, (signal, result) =>
    routingBench(plan.routing, catalog, states, signal, result),
  );
  await section('forwarding', plan.forwarding.allowanceMs, { rows: [] }, (signal, result) => forwardingBench(plan.forwarding, signal, result));
  await section('throughput', plan.throughput.allowanceMs, { rows: [] }, (signal, result) => throughputBench(plan.throughput, signal, result));
  await section('scaleOut', plan.scaleOut.allowanceMs, { rows: [], skipped: [] }, (signal, result) => scaleOutBench(plan.scaleOut, signal, result));
  await section('memory', plan.memory.allowanceMs, { rows: [], skipped: [] }, (signal, result) =>
    memoryBench(plan.memory, catalogFile, queriesFile, states, signal, result),
  );
  await section('contextCost', plan.contextCost.allowanceMs, { rows: [] }, (signal, result) =>
    contextCostBench(plan.contextCost, catalog, states, signal, result),
  );
  // Last: first starts embed for as long as they are allowed, so this section takes whatever time is left.
  await section('indexBuild', plan.indexBuild.allowanceMs, { rows: [] }, (signal, result) =>
    indexBuildBench(plan.indexBuild, catalogFile, queriesFile, states, signal, result),
  );
  return report();
}

/**
 * `--prepare`: fills the warm state folders of every size and embedder the plan uses, without a deadline (embedding
 * 10,000 tools takes minutes per embedder on two cores). Interrupting it keeps what was embedded.
 */
export function prepareStateCache(options: Omit<BenchOptions, 'command' | 'onSection'>): Promise<StateFill[]> {
  return withBundledChildren(() => fillStateCache(options));
}

async function fillStateCache(options: Omit<BenchOptions, 'command' | 'onSection'>): Promise<StateFill[]> {
  const { plan } = options;
  const { states } = await prepareInputs(options);
  const fills: StateFill[] = [];
  const sizes = stateSizes(plan);
  for (const embedder of plan.stateCache.embedders) {
    options.log?.(`${embedder}: filling state folders for ${sizes.join(', ')} tools`);
    await states.fill(embedder, sizes, new AbortController().signal, fills);
    options.log?.(`${embedder}: ${fills.filter((fill) => fill.embedder === embedder).map((fill) => `${fill.size} ${fill.status}`).join(', ')}`);
  }
  return fills;
}

async function prepareInputs(options: Pick<BenchOptions, 'plan' | 'datasetsRoot' | 'stateRoot' | 'workDir' | 'model'>): Promise<{
  catalog: BenchCatalog;
  catalogFile: string;
  queriesFile: string;
  states: StateCache;
}> {
  const { plan } = options;
  const catalog = await loadBenchCatalog({
    size: largestCatalog(plan),
    queries: plan.queries,
    datasetsRoot: options.datasetsRoot,
    ...(plan.datasets && { only: plan.datasets }),
  });
  const catalogFile = join(options.workDir, 'catalog.jsonl');
  const queriesFile = join(options.workDir, 'queries.json');
  await writeCatalogFile(catalogFile, catalog.tools);
  await writeFile(queriesFile, JSON.stringify(catalog.queries));
  return { catalog, catalogFile, queriesFile, states: new StateCache(options.stateRoot, catalogFile, catalog.tools, options.model) };
}

function machineInfo(loadAtStart: number): MachineInfo {
  const processors = cpus();
  return {
    cpus: processors.length,
    cpuModel: processors[0]?.model ?? 'unknown',
    memoryMb: Math.round(totalmem() / 2 ** 20),
    node: process.version,
    loadAverage: { start: loadAtStart, end: loadavg()[0]! },
  };
}
