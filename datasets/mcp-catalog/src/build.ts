/**
 * Builds the catalog and query files from the hand-written server modules, the captured reference-server
 * snapshot and the query modules. Pure and deterministic: the same sources always give byte-identical output.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { toCatalogEntries } from './dsl.js';
import { type CatalogEntry, catalogEntrySchema, type QueryEntry, queryEntrySchema } from './format.js';
import { allQueries } from './queries/index.js';
import { handWrittenServers } from './servers/index.js';

export const REFERENCE_SNAPSHOT_URL = new URL('../reference-tools.json', import.meta.url);
export const CATALOG_URL = new URL('../catalog.jsonl', import.meta.url);
export const QUERIES_URL = new URL('../queries.jsonl', import.meta.url);

export const referenceSnapshotSchema = z.strictObject({
  packages: z.record(z.string(), z.string()),
  tools: z.array(catalogEntrySchema),
});

export interface BuiltDataset {
  readonly catalog: readonly CatalogEntry[];
  readonly queries: readonly QueryEntry[];
}

export function buildDataset(): BuiltDataset {
  const catalog = [...handWrittenServers.flatMap(toCatalogEntries), ...readReferenceTools()];
  checkCatalog(catalog);
  const queries = allQueries();
  checkQueries(queries, new Set(catalog.map((entry) => entry.id)));
  return { catalog, queries };
}

export function toJsonLines(entries: readonly object[]): string {
  return entries.map((entry) => JSON.stringify(entry)).join('\n') + '\n';
}

function readReferenceTools(): CatalogEntry[] {
  const raw: unknown = JSON.parse(readFileSync(REFERENCE_SNAPSHOT_URL, 'utf8'));
  const parsed = referenceSnapshotSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`reference-tools.json: ${parsed.error.message}`);
  // The raw value, not zod's output: keeps the server's own key order and schema keywords untouched.
  return (raw as z.infer<typeof referenceSnapshotSchema>).tools;
}

function checkCatalog(catalog: readonly CatalogEntry[]): void {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const entry of catalog) {
    const parsed = catalogEntrySchema.safeParse(entry);
    if (!parsed.success) problems.push(`${entry.id}: ${parsed.error.message}`);
    if (seen.has(entry.id)) problems.push(`${entry.id}: duplicate id`);
    seen.add(entry.id);
  }
  if (problems.length > 0) throw new Error(`catalog is invalid:\n${problems.join('\n')}`);
}

function checkQueries(queries: readonly QueryEntry[], toolIds: ReadonlySet<string>): void {
  const problems: string[] = [];
  const seenIds = new Set<string>();
  const seenTexts = new Set<string>();
  for (const query of queries) {
    const parsed = queryEntrySchema.safeParse(query);
    if (!parsed.success) problems.push(`${query.id}: ${parsed.error.message}`);
    if (seenIds.has(query.id)) problems.push(`${query.id}: duplicate id`);
    if (seenTexts.has(query.query)) problems.push(`${query.id}: duplicate query text`);
    seenIds.add(query.id);
    seenTexts.add(query.query);
    for (const id of query.relevant) if (!toolIds.has(id)) problems.push(`${query.id}: relevant tool ${id} is not in the catalog`);
    if (new Set(query.relevant).size !== query.relevant.length) problems.push(`${query.id}: relevant tools repeat`);
  }
  if (problems.length > 0) throw new Error(`queries are invalid:\n${problems.join('\n')}`);
}
