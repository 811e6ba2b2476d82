import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConformanceServer, type ConformanceServer } from './fixtures/conformance-server.js';
import { auditRecords, httpClient, startHttpGateway } from './support/policy.js';
import { serveHttpProcess, type HttpServeProcess } from './support/serve-process.js';
import { tempDir, type TempDir } from './support/temp-dir.js';
import { servers, waitFor, waitForTools } from './support/toolscope-cli.js';

/**
 * A forwarded request that fails reaches the client with the JSON-RPC code the downstream gives it directly, whether
 * the downstream answered it or toolscope noticed first (a prompt's missing argument); a tool call's error is not
 * turned into a tool error.
 */
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
  const refusal = async (url: string, request: (client: Client) => Promise<unknown>): Promise<McpError> => {
    const error: unknown = await request(await connect(url)).then(
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
    const callInvalid = (client: Client) => client.callTool({ name: 'test_invalid_params', arguments: {} });
    const direct = await refusal(downstream.url, callInvalid);
    const through = await refusal(toolscope.url, callInvalid);

    expect(direct.code).toBe(-32602);
    expect(through.code).toBe(direct.code);
    expect(through.message).toBe(direct.message);
  });

  const failing: ReadonlyArray<readonly [string, (client: Client) => Promise<unknown>]> = [
    ['prompts/get without a required argument', (client) => client.getPrompt({ name: 'test_prompt_with_arguments', arguments: { arg1: 'a' } })],
    ['prompts/get of an unknown prompt', (client) => client.getPrompt({ name: 'no_such_prompt' })],
    ['resources/read of an unknown resource', (client) => client.readResource({ uri: 'test://no-such-resource' })],
    ['tools/call of an unknown tool', (client) => client.callTool({ name: 'no_such_tool', arguments: {} })],
  ];

  it.each(failing)('%s: the same JSON-RPC code as directly', async (_, request) => {
    const direct = await refusal(downstream.url, request);
    const through = await refusal(toolscope.url, request);

    expect(direct.code).not.toBe(-32000);
    expect(through.code).toBe(direct.code);
  });

  it("keeps the message of a server's error on a resource read, and its own errors carry the client's prefix once", async () => {
    const read = (client: Client) => client.readResource({ uri: 'test://no-such-resource' });
    expect((await refusal(toolscope.url, read)).message).toBe((await refusal(downstream.url, read)).message);
    const unknown = await refusal(toolscope.url, (client) => client.callTool({ name: 'no_such_tool', arguments: {} }));
    expect(unknown.message).toBe('MCP error -32602: unknown tool "no_such_tool"');
  });
});

describe('forwarding: a call its client cancels', () => {
  let dir: TempDir;
  let gateway: Awaited<ReturnType<typeof startHttpGateway>>;
  let client: Client;
  const LONG_RUNNING = 'everything__trigger-long-running-operation';

  beforeAll(async () => {
    dir = await tempDir();
    gateway = await startHttpGateway(dir.path, { exposure: { mode: 'all' }, retrieval: { retriever: 'bm25' }, servers: { everything: servers.everything() } });
    client = await httpClient(gateway.url);
    await waitForTools(client, [LONG_RUNNING]);
  });

  afterAll(async () => {
    await client?.close();
    await gateway?.close();
    await dir?.remove();
  });

  it('is audited as cancelled by the client, not as a timeout', async () => {
    const cancel = new AbortController();
    const call = client.callTool({ name: LONG_RUNNING, arguments: { duration: 30, steps: 30 } }, undefined, { signal: cancel.signal });
    setTimeout(() => cancel.abort('the user stopped it'), 1_500);
    await expect(call).rejects.toThrow();

    const record = await waitFor(async () => (await auditRecords(dir.path)).find((line) => line.tool === LONG_RUNNING), 'the audit line of the call');
    const forward = (record.decisions as Array<{ stage: string; outcome: string; reason?: string }>).find((decision) => decision.stage === 'forward');
    expect(forward?.reason).toMatch(/^cancelled by the client after \d+\.\d s$/);
    expect(forward?.outcome).toBe('cancelled');
    expect(record.outcome).toBe('cancelled');
  });
});
