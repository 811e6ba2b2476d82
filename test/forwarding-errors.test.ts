import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConformanceServer, type ConformanceServer } from './fixtures/conformance-server.js';
import { serveHttpProcess, type HttpServeProcess } from './support/serve-process.js';
import { tempDir, type TempDir } from './support/temp-dir.js';

/** A downstream's JSON-RPC error on tools/call reaches the client as the server sent it, not as a tool error. */
describe('forwarding: the server’s own JSON-RPC errors', () => {
  let dir: TempDir;
  let downstream: ConformanceServer;
  let toolscope: HttpServeProcess;
  const clients: Client[] = [];

  const connect = async (url: string) => {
    const client = new Client({ name: 'forwarding-errors-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(url)));
    clients.push(client);
    return client;
  };
  const refusal = async (url: string): Promise<McpError> => {
    const client = await connect(url);
    const error: unknown = await client.callTool({ name: 'test_invalid_params', arguments: {} }).then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(McpError);
    return error as McpError;
  };

  beforeAll(async () => {
    dir = await tempDir();
    downstream = await startConformanceServer();
    const config = { exposure: { mode: 'all' }, retrieval: { retriever: 'bm25' }, servers: { conformance: { url: downstream.url, namespace: '' } } };
    await writeFile(join(dir.path, 'toolscope.json'), JSON.stringify(config));
    toolscope = await serveHttpProcess(join(dir.path, 'toolscope.json'));
  });

  afterAll(async () => {
    for (const client of clients) await client.close();
    await toolscope?.stop();
    await downstream?.close();
    await dir?.remove();
  });

  it('keeps the code and message of an error the server answered a call with', async () => {
    const direct = await refusal(downstream.url);
    const through = await refusal(toolscope.url);

    expect(direct.code).toBe(-32602);
    expect(through.code).toBe(direct.code);
    expect(through.message).toBe(direct.message);
  });
});
