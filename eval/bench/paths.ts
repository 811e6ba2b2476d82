import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));

export const REPO_ROOT = resolve(BENCH_DIR, '..', '..');
export const CHILDREN_DIR = join(BENCH_DIR, 'children');
/** `../shared` beside the repository: public datasets and models, read in place, never copied in. */
export const SHARED_ROOT = resolve(REPO_ROOT, '..', 'shared');
/** Tool embeddings kept between bench runs (outside git): embedding 10,000 tools takes longer than a run may. */
export const DEFAULT_BENCH_STATE = join(REPO_ROOT, '.cache', 'bench-state');
/** Where the public datasets are converted to the canonical format (shared with the eval). */
export const DATASET_CACHE = join(REPO_ROOT, '.cache', 'datasets');
export const REPORTS_DIR = join(REPO_ROOT, 'eval', 'reports');
