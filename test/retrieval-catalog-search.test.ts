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
});
