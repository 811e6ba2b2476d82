import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { servers, tempDir, waitFor, writeConfig } from './support/toolscope-cli.js';
import { serveHttpProcess } from './support/serve-process.js';

describe("the gateway's tool search", () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    dir = await tempDir();
  });
  afterAll(async () => dir?.remove());

  it('logs the size of its index each time the index settles at another size', async () => {
    const configPath = await writeConfig(dir.path, { retrieval: { retriever: 'bm25' }, servers: { everything: servers.everything() } });
    const serve = await serveHttpProcess(configPath, { logLevel: 'info' });
    try {
      const line = await waitFor(
        () => serve.stderr().split('\n').find((text) => text.includes('tool index holds') && !text.includes('holds 0 tools')),
        'the index size in the log',
      );
      const record = JSON.parse(line) as { tools: number; msg: string };
      expect(record.tools).toBeGreaterThan(5);
      expect(record.msg).toBe(`tool index holds ${record.tools} tools (BM25 only)`);
    } finally {
      await serve.stop();
    }
  });

  it('keeps its recent searches, secrets redacted, in the state folder, saving the last ones when it stops', async () => {
    const stateDir = join(dir.path, 'state');
    const configPath = await writeConfig(dir.path, { stateDir, retrieval: { retriever: 'bm25' }, servers: { everything: servers.everything() } });
    const serve = await serveHttpProcess(configPath);
    const secret = 'sk-abcdefghijklmnopqrstuvwxyz0123456789';
    try {
      await waitFor(async () => {
        const route = await fetch(new URL('/v1/route', serve.url), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: `echo a message back, key ${secret}` }),
        });
        return ((await route.json()) as { tools: unknown[] }).tools.length > 0 || undefined;
      }, 'a search that finds a tool');
    } finally {
      // At once: the searches are saved every few seconds while serving, and at a stop.
      await serve.stop();
    }
    const stored = await readFile(join(stateDir, 'recent-searches.json'), 'utf8');
    expect(stored).not.toContain(secret);
    const { searches } = JSON.parse(stored) as { searches: Array<{ query: string; top: string }> };
    expect(searches.at(-1)).toEqual({ query: 'echo a message back, key [redacted]', top: 'everything__echo' });
  });
});
