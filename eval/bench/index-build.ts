import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BenchChild, type ChildMessage } from './child-process.js';
import { throwIfCut } from './deadline.js';
import type { DenseChoice } from './embedders.js';
import type { BenchPlan } from './plan.js';
import type { StateCache } from './state-cache.js';
import { spread, type Spread } from './stats.js';

/** One start's phases (ms), as the child measured them. */
export interface StartTimes {
  readonly embedderLoadMs: Spread;
  readonly indexBuildMs: Spread;
  /** Embedder load plus index build: what a start spends before it can route. */
  readonly timeToServingMs: Spread;
  /** The same from process start (Node and tsx startup and reading the catalog file included). */
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

export interface IndexBuildRow {
  readonly tools: number;
  readonly embedder: string;
  readonly firstStart?: StartTimes;
  readonly firstStartCut?: CutFirstStart;
  readonly warmRestart?: StartTimes;
  /** Where the warm restart's state folder came from. */
  readonly warmFrom?: 'this first start' | 'the bench state cache';
  /**
   * A whole gateway's warm start from the same state folder: policy (pinning checks every tool) and tool search
   * included, catalog in hand to search ready. One run; `cutAtMs` when it hit its limit.
   */
  readonly gatewayWarmStart?: { readonly startToServingMs: number; readonly processStartToReadyMs: number } | { readonly cutAtMs: number };
  readonly notes: string[];
}

export interface IndexBuildResult {
  readonly rows: IndexBuildRow[];
}

/**
 * First start (empty state folder: every tool embedded) and warm restart (the folder a finished start left: nothing
 * embedded) for each catalog size, each a fresh process.
 */
export async function indexBuildBench(
  plan: BenchPlan['indexBuild'],
  catalogFile: string,
  queriesFile: string,
  states: StateCache,
  signal: AbortSignal,
  result: IndexBuildResult,
): Promise<void> {
  for (const size of plan.sizes) {
    const dir = await mkdtemp(join(tmpdir(), 'toolscope-bench-index-'));
    try {
      const starts = { catalogFile, size, embedder: plan.embedder, signal };
      const notes: string[] = [];
      const first = await firstStarts(plan, starts, dir);
      if (first.cut) notes.push(`first start cut at its ${plan.firstStartLimitMs / 1000} s limit after embedding ${first.cut.embeddedTools} of ${size} tools`);
      const warm = await warmSource(first.finishedState, states, plan.embedder, size, dir);
      if (!warm) notes.push('warm restart not measured: no finished start to restart from (run `npm run bench -- --prepare`)');
      const restarts: ChildMessage[] = [];
      for (let run = 0; warm && run < plan.warmRuns; run++) {
        const started = await startOnce({ ...starts, stateDir: warm.stateDir });
        if ('ready' in started) restarts.push(started.ready);
      }
      const gatewayWarmStart = warm && (await gatewayStart(catalogFile, queriesFile, size, plan, warm.stateDir, signal));
      result.rows.push({
        tools: size,
        embedder: String((first.runs[0] ?? restarts[0])?.embedder ?? plan.embedder),
        ...(first.runs.length > 0 && { firstStart: startTimes(first.runs) }),
        ...(first.cut && { firstStartCut: first.cut }),
        ...(warm && restarts.length > 0 && { warmRestart: startTimes(restarts), warmFrom: warm.from }),
        ...(gatewayWarmStart && { gatewayWarmStart }),
        notes,
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}

interface StartInputs {
  readonly catalogFile: string;
  readonly size: number;
  readonly embedder: DenseChoice;
  readonly signal: AbortSignal;
}

/** First starts in empty state folders, until one hits its time limit (the rest would too). */
async function firstStarts(
  plan: BenchPlan['indexBuild'],
  inputs: StartInputs,
  dir: string,
): Promise<{ runs: ChildMessage[]; cut?: CutFirstStart; finishedState?: string }> {
  const runs: ChildMessage[] = [];
  let finishedState: string | undefined;
  for (let run = 0; run < plan.firstStartRuns; run++) {
    const stateDir = join(dir, `first-${run}`);
    const started = await startOnce({ ...inputs, stateDir }, plan.firstStartLimitMs);
    if (!('ready' in started)) {
      const { embeddedTools, embeddingMs } = started.progress;
      const cut: CutFirstStart = {
        limitMs: plan.firstStartLimitMs,
        embeddedTools,
        embeddingMs,
        ...(embeddedTools > 0 && { projectedEmbeddingMs: (embeddingMs / embeddedTools) * inputs.size }),
      };
      return { runs, cut, ...(finishedState && { finishedState }) };
    }
    runs.push(started.ready);
    finishedState = stateDir;
  }
  return { runs, ...(finishedState && { finishedState }) };
}

/** The folder to restart from: what a first start here left, else a copy of the bench cache's. */
async function warmSource(
  finishedState: string | undefined,
  states: StateCache,
  embedder: DenseChoice,
  size: number,
  dir: string,
): Promise<{ stateDir: string; from: NonNullable<IndexBuildRow['warmFrom']> } | undefined> {
  if (finishedState) return { stateDir: finishedState, from: 'this first start' };
  if (!(await states.isComplete(embedder, size))) return undefined;
  const stateDir = join(dir, 'warm');
  await states.seed(embedder, size, stateDir);
  return { stateDir, from: 'the bench state cache' };
}

type StartOutcome = { readonly ready: ChildMessage } | { readonly progress: { embeddedTools: number; embeddingMs: number } };

async function startOnce(inputs: StartInputs & { readonly stateDir: string }, limitMs?: number): Promise<StartOutcome> {
  const { catalogFile, size, embedder, stateDir, signal } = inputs;
  throwIfCut(signal);
  const limit = limitMs === undefined ? signal : AbortSignal.any([signal, AbortSignal.timeout(limitMs)]);
  const child = new BenchChild('index-child', [catalogFile, String(size), embedder, stateDir], { signal: limit });
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

async function gatewayStart(
  catalogFile: string,
  queriesFile: string,
  size: number,
  plan: BenchPlan['indexBuild'],
  stateDir: string,
  signal: AbortSignal,
): Promise<IndexBuildRow['gatewayWarmStart']> {
  throwIfCut(signal);
  const limit = AbortSignal.any([signal, AbortSignal.timeout(plan.gatewayStartLimitMs)]);
  const child = new BenchChild('search-child', [catalogFile, String(size), plan.embedder, stateDir, queriesFile, '0'], { signal: limit });
  try {
    const ready = await child.next('ready');
    return { startToServingMs: Number(ready.startToServingMs), processStartToReadyMs: Number(ready.processStartToReadyMs) };
  } catch (error) {
    throwIfCut(signal);
    if (!limit.aborted) throw error;
    return { cutAtMs: plan.gatewayStartLimitMs };
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
