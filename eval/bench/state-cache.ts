import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256Hex } from '../../src/catalog/canonical-json.js';
import { pathExists } from '../../src/fs/path-exists.js';
import type { EvalTool } from '../../src/eval/dataset-format.js';
import { toJsonl } from '../../src/eval/jsonl.js';
import { GRAPH_FORMAT } from '../../src/retrieval/vector-index.js';
import { BenchChild } from './child-process.js';
import { throwIfCut } from './deadline.js';
import { modelArgs, stateKey, type DenseChoice, type TransformersModel } from './embedders.js';
import { processAlive } from '../../src/process-alive.js';

/** Written into a state folder once a start over exactly its catalog finished: the folder is then a warm state. */
const COMPLETE_MARKER = 'bench-complete.json';

export interface StateFill {
  readonly embedder: DenseChoice;
  readonly size: number;
  /** `cached`: complete from an earlier run; `filled`: completed now; `incomplete`: cut before it completed. */
  readonly status: 'cached' | 'filled' | 'incomplete';
  /** Tools embedded by this run. */
  readonly embeddedTools: number;
  readonly elapsedMs: number;
}

/**
 * toolscope state folders (embedding cache and HNSW graph) kept between bench runs, one per embedder and catalog size,
 * each exactly what a start over that catalog leaves behind. Embedding 10,000 tools takes longer than one bench run
 * may, so folders are filled across runs: the embedding cache keeps every finished batch, and a larger size starts
 * from a copy of the next smaller one (its catalog is a prefix), so no tool is embedded twice.
 */
export class StateCache {
  private readonly digests = new Map<number, string>();

  constructor(
    private readonly root: string,
    private readonly catalogFile: string,
    private readonly tools: readonly EvalTool[],
    /** The model the `transformers` choice runs (its folders are kept apart from other models'). */
    readonly model: TransformersModel,
  ) {}

  dir(embedder: DenseChoice, size: number): string {
    return join(this.root, stateKey(embedder, this.model), `size-${size}`);
  }

  async isComplete(embedder: DenseChoice, size: number): Promise<boolean> {
    try {
      const marker = JSON.parse(await readFile(join(this.dir(embedder, size), COMPLETE_MARKER), 'utf8')) as { digest?: string };
      return marker.digest === this.digest(size);
    } catch {
      return false;
    }
  }

  /** Completes the folders of `sizes` (smallest first) for `embedder`; progress survives a cut. */
  async fill(embedder: DenseChoice, sizes: readonly number[], signal: AbortSignal, filled: StateFill[]): Promise<void> {
    let previous: string | undefined;
    for (const size of [...sizes].sort((a, b) => a - b)) {
      if (!(await this.isComplete(embedder, size))) {
        throwIfCut(signal);
        const release = await this.lock(embedder, size);
        // Another process is filling it; the larger sizes start from it, so they wait for a later run too.
        if (!release) {
          filled.push({ embedder, size, status: 'incomplete', embeddedTools: 0, elapsedMs: 0 });
          return;
        }
        try {
          await this.fillOne(embedder, size, previous, signal, filled);
        } finally {
          await release();
        }
      } else {
        filled.push({ embedder, size, status: 'cached', embeddedTools: 0, elapsedMs: 0 });
      }
      previous = this.dir(embedder, size);
    }
  }

  /** Brings one folder to complete: a copy of the next smaller one to start from, then a start over its catalog. */
  private async fillOne(
    embedder: DenseChoice,
    size: number,
    previous: string | undefined,
    signal: AbortSignal,
    filled: StateFill[],
  ): Promise<void> {
    const dir = this.dir(embedder, size);
    const started = Date.now();
    if (await this.isComplete(embedder, size)) {
      filled.push({ embedder, size, status: 'cached', embeddedTools: 0, elapsedMs: 0 });
      return;
    }
    if (!(await pathExists(dir))) {
      if (previous) await cp(previous, dir, { recursive: true });
      else await mkdir(dir, { recursive: true });
      await rm(join(dir, COMPLETE_MARKER), { force: true });
    }
    const child = new BenchChild('index-child', [this.catalogFile, String(size), embedder, dir, ...modelArgs(this.model)], { signal });
    try {
      const ready = await child.next('ready');
      const embeddedTools = (ready.stats as { embeddedTools: number }).embeddedTools;
      await writeFile(join(dir, COMPLETE_MARKER), JSON.stringify({ digest: this.digest(size), embedder: ready.embedder, tools: size }));
      filled.push({ embedder, size, status: 'filled', embeddedTools, elapsedMs: Date.now() - started });
    } catch (error) {
      const embedded = child.take('progress').pop()?.embedded;
      filled.push({ embedder, size, status: 'incomplete', embeddedTools: Number(embedded ?? 0), elapsedMs: Date.now() - started });
      throwIfCut(signal);
      throw error;
    } finally {
      await child.close();
    }
  }

  /**
   * Another bench process (a `--prepare` in the background, say) may be filling the same folder: one at a time.
   * Returns the release function, or undefined when a live process holds the folder.
   */
  private async lock(embedder: DenseChoice, size: number): Promise<(() => Promise<void>) | undefined> {
    const file = `${this.dir(embedder, size)}.lock`;
    await mkdir(join(this.root, stateKey(embedder, this.model)), { recursive: true });
    for (;;) {
      try {
        await writeFile(file, String(process.pid), { flag: 'wx' });
        return () => rm(file, { force: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const holder = Number(await readFile(file, 'utf8').catch(() => ''));
        if (processAlive(holder)) return undefined;
        await rm(file, { force: true });
      }
    }
  }

  /** Copies the complete state folder of `size` to `target`: a warm start from it embeds nothing. */
  async seed(embedder: DenseChoice, size: number, target: string): Promise<void> {
    if (!(await this.isComplete(embedder, size))) {
      throw new Error(`no complete ${embedder} embedding cache for ${size} tools yet (run \`npm run bench -- --prepare\`)`);
    }
    await cp(this.dir(embedder, size), target, { recursive: true });
  }

  /**
   * Identifies the catalog of `size` and the graph format: a changed dataset or conversion, or a graph toolscope would
   * rebuild on start, makes its folder incomplete again.
   */
  private digest(size: number): string {
    let digest = this.digests.get(size);
    if (digest === undefined) {
      digest = sha256Hex(`graph format ${GRAPH_FORMAT}\n${toJsonl(this.tools.slice(0, size))}`);
      this.digests.set(size, digest);
    }
    return digest;
  }
}
