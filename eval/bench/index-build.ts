import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BenchChild, type ChildMessage } from './child-process.js';
import { throwIfCut } from './deadline.js';
import { modelArgs, type DenseChoice, type TransformersModel } from './embedders.js';
import type { BenchPlan } from './plan.js';
import type { StateCache } from './state-cache.js';
import { spread, type Spread } from './stats.js';

/** One start's phases (ms), as the child measured them. */
export interface StartTimes {
  readonly embedderLoadMs: Spread;
  readonly indexBuildMs: Spread;
  /** Embedder load plus index build: what a start spends before it can route. */
  readonly timeToServingMs: Spread;
  /** The same from process start (Node startup and reading the catalog file included). */
  readonly processStartToReadyMs: Spread;
  /** Most tools any of the runs embedded. */
  readonly embeddedTools: number;
}

/** A first start stopped at its time limit: how far it got, and the time it would have needed at that rate. */
export interface CutFirstStart {
  readonly limitMs: number;
  readonly embeddedTools: number;
  readonly embeddingMs: number;
  /** Embedding every tool at the measured rate (once a batch finished); model load and index build come on top. */
  readonly projectedEmbeddingMs?: number;
}

export type GatewayWarmStart = { readonly startToServingMs: number; readonly processStartToReadyMs: number } | { readonly cutAtMs: number };

/** Filled in phase by phase, so a section cut during the first starts keeps the restarts already measured. */
export interface IndexBuildRow {
  readonly tools: number;
  embedder: string;
  /** Restarts over the state folder a finished start over this catalog left (a copy of the bench cache's). */
  warmRestart?: StartTimes;
  /**
   * A whole gateway's warm start from the same folder: policy (pinning checks every tool as its server arrives) and
   * tool search included, catalog in hand to search ready. One run; `cutAtMs` when it hit its limit.
   */
  gatewayWarmStart?: GatewayWarmStart;
  firstStart?: StartTimes;
  firstStartCut?: CutFirstStart;
  readonly notes: string[];
}

export interface IndexBuildResult {
  readonly rows: IndexBuildRow[];
}

interface StartInputs {
  readonly catalogFile: string;
  readonly size: number;
  readonly embedder: DenseChoice;
  readonly model: TransformersModel;
  readonly signal: AbortSignal;
}

/**
 * Warm restarts first (the folder a finished start leaves: nothing to embed), with a whole gateway's warm start, for
 * every size; then first starts (empty folder: every tool embedded), each within its time limit, since embedding a
 * large catalog takes longer than a run may. Every start is a fresh process.
 */
export async function indexBuildBench(
  plan: BenchPlan['indexBuild'],
  catalogFile: string,
  queriesFile: string,
  states: StateCache,
  signal: AbortSignal,
  result: IndexBuildResult,
): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'toolscope-bench-index-'));
  try {
    for (const size of plan.sizes) {
      const row: IndexBuildRow = { tools: size, embedder: plan.embedder, notes: [] };
      result.rows.push(row);
      const inputs: StartInputs = { catalogFile, size, embedder: plan.embedder, model: states.model, signal };
      if (!(await states.isComplete(plan.embedder, size))) {
        row.notes.push('warm restart not measured: the bench cache holds no finished start yet (run `npm run bench -- --prepare`)');
        continue;
      }
      const stateDir = join(dir, `warm-${size}`);
      await states.seed(plan.embedder, size, stateDir);
      const restarts: ChildMessage[] = [];
      for (let run = 0; run < plan.warmRuns; run++) {
        const started = await startOnce({ ...inputs, stateDir });
        if ('ready' in started) restarts.push(started.ready);
      }
      row.warmRestart = startTimes(restarts);
      row.embedder = String(restarts[0]?.embedder ?? plan.embedder);
      row.gatewayWarmStart = await gatewayStart(inputs, queriesFile, stateDir, plan.gatewayStartLimitMs);
    }
    for (const row of result.rows) {
      const inputs: StartInputs = { catalogFile, size: row.tools, embedder: plan.embedder, model: states.model, signal };
      const runs: ChildMessage[] = [];
      for (let run = 0; run < plan.firstStartRuns && !row.firstStartCut; run++) {
        const started = await startOnce({ ...inputs, stateDir: join(dir, `first-${row.tools}-${run}`) }, plan.firstStartLimitMs);
        if ('ready' in started) {
          runs.push(started.ready);
          row.firstStart = startTimes(runs);
        } else {
          row.firstStartCut = cutFirstStart(started.progress, plan.firstStartLimitMs, row.tools);
          row.notes.push(`first start cut at its ${plan.firstStartLimitMs / 1000} s limit after embedding ${started.progress.embeddedTools} of ${row.tools} tools`);
        }
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

type StartOutcome = { readonly ready: ChildMessage } | { readonly progress: { embeddedTools: number; embeddingMs: number } };

async function startOnce(inputs: StartInputs & { readonly stateDir: string }, limitMs?: number): Promise<StartOutcome> {
  const { catalogFile, size, embedder, model, stateDir, signal } = inputs;
  throwIfCut(signal);
  const limit = limitMs === undefined ? signal : AbortSignal.any([signal, AbortSignal.timeout(limitMs)]);
  const child = new BenchChild('index-child', [catalogFile, String(size), embedder, stateDir, ...modelArgs(model)], { signal: limit });
  try {
    return { ready: await child.next('ready') };
  } catch (error) {
    throwIfCut(signal);
    if (!limit.aborted) throw error;
    const last = child.take('progress').pop();
    return { progress: { embeddedTools: Number(last?.embedded ?? 0), embeddingMs: Number(last?.elapsedMs ?? limitMs) } };
  } finally {
    await child.close();
  }
}

function cutFirstStart(progress: { embeddedTools: number; embeddingMs: number }, limitMs: number, size: number): CutFirstStart {
  const { embeddedTools, embeddingMs } = progress;
  return {
    limitMs,
    embeddedTools,
    embeddingMs,
    ...(embeddedTools > 0 && { projectedEmbeddingMs: (embeddingMs / embeddedTools) * size }),
  };
}

async function gatewayStart(inputs: StartInputs, queriesFile: string, stateDir: string, limitMs: number): Promise<GatewayWarmStart> {
  const { catalogFile, size, embedder, model, signal } = inputs;
  throwIfCut(signal);
  const limit = AbortSignal.any([signal, AbortSignal.timeout(limitMs)]);
  const child = new BenchChild('search-child', [catalogFile, String(size), embedder, stateDir, queriesFile, '0', ...modelArgs(model)], {
    signal: limit,
  });
  try {
    const ready = await child.next('ready');
    return { startToServingMs: Number(ready.startToServingMs), processStartToReadyMs: Number(ready.processStartToReadyMs) };
  } catch (error) {
    throwIfCut(signal);
    if (!limit.aborted) throw error;
    return { cutAtMs: limitMs };
  } finally {
    await child.close();
  }
}

function startTimes(runs: readonly ChildMessage[]): StartTimes {
  const field = (name: string) => spread(runs.map((run) => Number(run[name])));
  const serving = runs.map((run) => Number(run.embedderLoadMs) + Number(run.indexBuildMs));
  return {
    embedderLoadMs: field('embedderLoadMs'),
    indexBuildMs: field('indexBuildMs'),
    timeToServingMs: spread(serving),
    processStartToReadyMs: field('processStartToReadyMs'),
    embeddedTools: Math.max(...runs.map((run) => (run.stats as { embeddedTools: number }).embeddedTools)),
  };
}
