import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir, waitFor, writeConfig } from './support/toolscope-cli.js';
import { serveHttpProcess } from './support/serve-process.js';

describe('log format (stderr)', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let configPath: string;
  beforeAll(async () => {
    dir = await tempDir();
    configPath = await writeConfig(dir.path, { retrieval: { retriever: 'bm25' }, servers: {} });
  });
  afterAll(async () => dir?.remove());

  const firstLogLine = async (args: string[]) => {
    const serve = await serveHttpProcess(configPath, { logLevel: 'info', args });
    try {
      return await waitFor(() => serve.stderr().split('\n').find((line) => line.includes('sandbox check')), 'the first log line');
    } finally {
      await serve.stop();
    }
  };

  it('is JSON lines when stderr is not a terminal', async () => {
    const line = await firstLogLine([]);
    expect(JSON.parse(line)).toMatchObject({ level: 30, name: 'toolscope', msg: 'sandbox check' });
  });

  it('is readable text with --log-format pretty', async () => {
    const line = await firstLogLine(['--log-format', 'pretty']);
    expect(line).toMatch(/^\[\d{2}:\d{2}:\d{2}\.\d{3}\] INFO \(toolscope\/\d+\): sandbox check$/);
  });

  it('refuses a format it does not know, naming the choices', async () => {
    const result = await runCli(['--log-format', 'xml', 'status']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("argument 'xml' is invalid. Allowed choices are json, pretty.");
  });
});
