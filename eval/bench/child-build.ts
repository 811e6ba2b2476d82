import { mkdir, mkdtemp, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'esbuild';
import { VERSION } from '../../src/version.js';
import { CHILD_BUILD_ROOT, CHILDREN_DIR, REPO_ROOT } from './paths.js';

/** Every process the bench starts, by the name it is launched under. */
export const CHILD_SOURCES = {
  'echo-server': join(CHILDREN_DIR, 'echo-server.ts'),
  'gateway-http': join(CHILDREN_DIR, 'gateway-http.ts'),
  'load-client': join(CHILDREN_DIR, 'load-client.ts'),
  'index-child': join(CHILDREN_DIR, 'index-child.ts'),
  'search-child': join(CHILDREN_DIR, 'search-child.ts'),
  toolscope: join(REPO_ROOT, 'src', 'cli', 'main.ts'),
} as const;

export type ChildScript = keyof typeof CHILD_SOURCES;

export interface ChildBuild {
  /** Folder holding `<script>.mjs` for every child. */
  readonly dir: string;
  remove(): Promise<void>;
}

/**
 * Bundles the children (and the toolscope CLI) to plain JavaScript, packages left as imports, so they run on bare
 * `node` as a deployed toolscope does: under a TypeScript loader a process holds the loader's compiled copies of every
 * module (about 160 MB more RSS with transformers.js) and starts seconds slower. Inside the repository, so bare
 * imports resolve to its node_modules.
 */
export async function buildChildren(): Promise<ChildBuild> {
  await mkdir(CHILD_BUILD_ROOT, { recursive: true });
  await removeStaleBuilds();
  // The bundled CLI reads its version from the package.json one folder above it, as from dist/ in a deployment. Only
  // the version: a manifest named toolscope here would pass for the repository root (paths.ts).
  // Written whole by a rename: children of another run may be reading it.
  const manifest = join(CHILD_BUILD_ROOT, `package.json.${process.pid}`);
  await writeFile(manifest, `${JSON.stringify({ private: true, version: VERSION })}\n`);
  await rename(manifest, join(CHILD_BUILD_ROOT, 'package.json'));
  const dir = await mkdtemp(join(CHILD_BUILD_ROOT, 'run-'));
  await build({
    entryPoints: CHILD_SOURCES,
    outdir: dir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'error',
  });
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

export function childEntryPoint(build: ChildBuild, script: ChildScript): string {
  return join(build.dir, `${script}.mjs`);
}

/** Builds a day old were left by runs stopped from outside (the deadline backstop exits at once). */
async function removeStaleBuilds(): Promise<void> {
  const dayAgo = Date.now() - 24 * 3_600_000;
  for (const entry of await readdir(CHILD_BUILD_ROOT)) {
    if (!entry.startsWith('run-')) continue;
    const path = join(CHILD_BUILD_ROOT, entry);
    if ((await stat(path)).mtimeMs < dayAgo) await rm(path, { recursive: true, force: true });
  }
}
