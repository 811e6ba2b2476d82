/**
 * Writes datasets/mcp-catalog/catalog.jsonl and queries.jsonl from their TypeScript sources.
 * Run after editing a server or query module: `npx tsx datasets/scripts/build-catalog.ts`.
 */
import { writeFile } from 'node:fs/promises';
import { buildDataset, CATALOG_URL, QUERIES_URL, toJsonLines } from '../mcp-catalog/src/build.js';

const { catalog, queries } = buildDataset();
await writeFile(CATALOG_URL, toJsonLines(catalog));
await writeFile(QUERIES_URL, toJsonLines(queries));
const servers = new Set(catalog.map((entry) => entry.server));
process.stderr.write(`catalog.jsonl: ${catalog.length} tools on ${servers.size} servers; queries.jsonl: ${queries.length} queries\n`);
