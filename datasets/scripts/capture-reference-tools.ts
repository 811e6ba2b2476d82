/**
 * Re-captures the `tools/list` of the npm reference MCP servers into datasets/mcp-catalog/reference-tools.json.
 * Run after upgrading one of them: `npx tsx datasets/scripts/capture-reference-tools.ts`, then rebuild the catalog.
 */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { REFERENCE_SNAPSHOT_URL } from '../mcp-catalog/src/build.js';
import { captureReferenceTools } from '../mcp-catalog/src/capture.js';

const capture = await captureReferenceTools();
await writeFile(REFERENCE_SNAPSHOT_URL, JSON.stringify(capture, null, 2) + '\n');
const counts = new Map<string, number>();
for (const { server } of capture.tools) counts.set(server, (counts.get(server) ?? 0) + 1);
const perServer = [...counts].map(([server, count]) => `${server} ${count}`).join(', ');
process.stderr.write(`wrote ${capture.tools.length} tools (${perServer}) to ${fileURLToPath(REFERENCE_SNAPSHOT_URL)}\n`);
