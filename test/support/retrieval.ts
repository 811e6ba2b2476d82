import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { toCatalogTool } from '../../src/catalog/catalog.js';
import type { CatalogTool } from '../../src/catalog/tool.js';
import type { Embedder, EmbedderLogger } from '../../src/embedding/index.js';
import { tempDir } from './temp-dir.js';

/** Shared helpers for the retrieval and embedding tests: real servers' tool lists, real embedders. */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** `../shared/models` beside the repository: holds `minilm-l6-random` (real architecture, random weights). */
export const SHARED_MODELS = fileURLToPath(new URL('../../../shared/models/', import.meta.url));
export const RANDOM_MINILM = { backend: 'transformers', model: 'minilm-l6-random', dtype: 'fp32', modelDir: SHARED_MODELS, allowRemoteModels: false } as const;

export { tempDir };

/** The tools the real npm servers list, as catalog entries under the given server names. */
export async function realServerTools(
  names: ReadonlyArray<'filesystem' | 'memory' | 'everything'> = ['filesystem', 'memory', 'everything'],
): Promise<CatalogTool[]> {
  const dir = await tempDir();
  try {
    const lists = await Promise.all(
      names.map(async (name) => {
        const entry = join(ROOT, `node_modules/@modelcontextprotocol/server-${name}/dist/index.js`);
        const client = new Client({ name: 'toolscope-test', version: '0' });
        await client.connect(
          new StdioClientTransport({
            command: process.execPath,
            args: name === 'filesystem' ? [entry, dir.path] : [entry],
            env: { PATH: process.env.PATH ?? '', MEMORY_FILE_PATH: join(dir.path, 'memory.jsonl') },
            stderr: 'ignore',
          }),
        );
        try {
          return (await client.listTools()).tools.map((tool) => toCatalogTool(name, tool));
        } finally {
          await client.close();
        }
      }),
    );
    return lists.flat();
  } finally {
    await dir.remove();
  }
}

/** A real embedder that also counts the texts it was asked to embed. */
export function countingEmbedder(embedder: Embedder): Embedder & { texts: number; calls: number } {
  const counted = {
    ...embedder,
    texts: 0,
    calls: 0,
    async embed(texts: string[]) {
      counted.calls++;
      counted.texts += texts.length;
      return embedder.embed(texts);
    },
  };
  return counted;
}

/** Records what would have been logged. */
export function recordingLogger(): EmbedderLogger & { warnings: string[]; infos: string[] } {
  const warnings: string[] = [];
  const infos: string[] = [];
  const record = (into: string[]) => (first: unknown, second?: unknown) =>
    into.push(typeof first === 'string' ? first : String(second));
  return { warnings, infos, warn: record(warnings), info: record(infos) } as EmbedderLogger & {
    warnings: string[];
    infos: string[];
  };
}
