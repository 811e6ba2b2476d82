import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { toJsonl } from '../../src/eval/jsonl.js';
import { writeFileAtomic } from '../../src/fs/atomic-write.js';
import type { DatasetAdapter } from './adapter.js';

export interface MaterializedDataset {
  readonly name: string;
  readonly catalogFile: string;
  readonly queriesFile: string;
  readonly notes: readonly string[];
}

/**
 * Converts one benchmark from `sourceRoot/<adapter.source>` into `cacheRoot/<adapter.name>/{catalog,queries}.jsonl`.
 * The cache lives outside git: the benchmarks' data is never committed.
 */
export async function materializeDataset(
  adapter: DatasetAdapter,
  sourceRoot: string,
  cacheRoot: string,
): Promise<MaterializedDataset> {
  const converted = await adapter.convert(join(sourceRoot, adapter.source));
  const dir = join(cacheRoot, adapter.name);
  await mkdir(dir, { recursive: true });
  const catalogFile = join(dir, 'catalog.jsonl');
  const queriesFile = join(dir, 'queries.jsonl');
  // Atomic: another eval or bench run may be reading the same cache while this one rewrites it.
  await writeFileAtomic(catalogFile, toJsonl(converted.tools));
  await writeFileAtomic(queriesFile, toJsonl(converted.queries));
  return { name: adapter.name, catalogFile, queriesFile, notes: [adapter.description, ...converted.notes] };
}
