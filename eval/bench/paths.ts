import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The repository root: the nearest folder above this module whose package.json is toolscope's. Found by looking
 * rather than by a fixed `../..`, because bench children run from bundles built elsewhere in the repository.
 */
function findRepoRoot(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'toolscope') return dir;
  }
  throw new Error(`no toolscope package.json above ${fileURLToPath(import.meta.url)}`);
}

export const REPO_ROOT = findRepoRoot();
export const CHILDREN_DIR = join(REPO_ROOT, 'eval', 'bench', 'children');
/** `../shared` beside the repository: public datasets and models, read in place, never copied in. */
export const SHARED_ROOT = join(dirname(REPO_ROOT), 'shared');
/** Tool embeddings kept between bench runs (outside git): embedding 10,000 tools takes longer than a run may. */
export const DEFAULT_BENCH_STATE = join(REPO_ROOT, '.cache', 'bench-state');
/** Where the public datasets are converted to the canonical format (shared with the eval). */
export const DATASET_CACHE = join(REPO_ROOT, '.cache', 'datasets');
/** Bundled bench children (plain JavaScript, run without a TypeScript loader). */
export const CHILD_BUILD_ROOT = join(REPO_ROOT, '.cache', 'bench-build');
export const REPORTS_DIR = join(REPO_ROOT, 'eval', 'reports');
