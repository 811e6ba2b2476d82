/**
 * Captures the real `tools/list` of the npm reference MCP servers over stdio, as canonical catalog entries.
 * The client declares no capabilities (as a gateway's downstream client does), so servers that add tools only
 * for sampling/elicitation/roots-capable clients (server-everything) list their unconditional tools.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { exposedToolName } from '../../../src/catalog/naming.js';
import { type CatalogEntry, catalogEntrySchema } from './format.js';

export interface ReferenceServer {
  /** Server name in the catalog. */
  readonly server: string;
  readonly npmPackage: string;
  /** Arguments after the entry point; `{dir}` is replaced by a fresh temp directory. */
  readonly args: readonly string[];
}

export const REFERENCE_SERVERS: readonly ReferenceServer[] = [
  { server: 'everything', npmPackage: '@modelcontextprotocol/server-everything', args: ['stdio'] },
  { server: 'filesystem', npmPackage: '@modelcontextprotocol/server-filesystem', args: ['{dir}'] },
  { server: 'memory', npmPackage: '@modelcontextprotocol/server-memory', args: [] },
  // Lists its one tool without a database; the URL points at a closed port and is never dialled by tools/list.
  { server: 'postgres', npmPackage: '@modelcontextprotocol/server-postgres', args: ['postgresql://capture@127.0.0.1:1/none'] },
];

export interface ReferenceCapture {
  /** npm package -> installed version, so a changed snapshot can be traced to an upgrade. */
  readonly packages: Record<string, string>;
  readonly tools: CatalogEntry[];
}

const require = createRequire(import.meta.url);

export async function captureReferenceTools(servers: readonly ReferenceServer[] = REFERENCE_SERVERS): Promise<ReferenceCapture> {
  const packages: Record<string, string> = {};
  const tools: CatalogEntry[] = [];
  for (const reference of servers) {
    packages[reference.npmPackage] = installedPackage(reference.npmPackage).version;
    tools.push(...(await listServerTools(reference)));
  }
  return { packages, tools };
}

async function listServerTools(reference: ReferenceServer): Promise<CatalogEntry[]> {
  const workDir = await mkdtemp(join(tmpdir(), `toolscope-capture-${reference.server}-`));
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [installedPackage(reference.npmPackage).entryPoint, ...reference.args.map((arg) => arg.replace('{dir}', workDir))],
    env: { ...getDefaultEnvironment(), MEMORY_FILE_PATH: join(workDir, 'memory.jsonl') },
    cwd: workDir,
    stderr: 'ignore',
  });
  const client = new Client({ name: 'toolscope-dataset-capture', version: '1.0.0' });
  try {
    await client.connect(transport);
    const listed: Tool[] = [];
    let cursor: string | undefined;
    do {
      const page = await client.listTools(cursor === undefined ? {} : { cursor });
      listed.push(...page.tools);
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    return listed.map((listedTool) => toEntry(reference, listedTool, workDir));
  } catch (error) {
    throw new Error(`capturing ${reference.npmPackage}: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    await client.close();
    await rm(workDir, { recursive: true, force: true });
  }
}

/** Keeps what the server sent that the canonical format carries; drops outputSchema and execution hints. */
function toEntry(reference: ReferenceServer, listed: Tool, workDir: string): CatalogEntry {
  const entry = {
    id: exposedToolName(reference.server, listed.name),
    server: reference.server,
    name: listed.name,
    ...(listed.title !== undefined ? { title: listed.title } : {}),
    description: listed.description ?? '',
    inputSchema: listed.inputSchema,
    ...(listed.annotations !== undefined ? { annotations: listed.annotations } : {}),
  };
  if (JSON.stringify(entry).includes(workDir)) {
    throw new Error(`${reference.server}/${listed.name} mentions the capture's temp directory; the snapshot would not be reproducible`);
  }
  const parsed = catalogEntrySchema.safeParse(entry);
  if (!parsed.success) throw new Error(`${reference.server}/${listed.name}: ${parsed.error.message}`);
  return entry;
}

/** The reference servers ship only a bin (no main/exports), so the entry point is read from package.json. */
function installedPackage(npmPackage: string): { version: string; entryPoint: string } {
  const manifestPath = require.resolve(`${npmPackage}/package.json`);
  const manifest = require(manifestPath) as { version?: unknown; bin?: unknown };
  const bins = typeof manifest.bin === 'object' && manifest.bin !== null ? Object.values(manifest.bin) : [];
  const [bin] = bins;
  if (typeof manifest.version !== 'string' || bins.length !== 1 || typeof bin !== 'string') {
    throw new Error(`${npmPackage}/package.json: expected a version and exactly one bin`);
  }
  return { version: manifest.version, entryPoint: join(dirname(manifestPath), bin) };
}
