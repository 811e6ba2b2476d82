import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusJson } from '../src/cli/commands/status.js';
import { connectStdio, runCli, servers, tempDir, textOf, waitFor, waitForTools, writeConfig } from './support/toolscope-cli.js';

describe('a downstream server crashing mid-session', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let configPath: string;
  let client: Client;

  const serverStatus = async (name: string) => {
    const result = await runCli(['--config', configPath, 'status', '--json']);
    const { serves } = JSON.parse(result.stdout) as StatusJson;
    return serves[0]?.status.servers.find((server) => server.name === name);
  };

  beforeAll(async () => {
    dir = await tempDir();
    configPath = await writeConfig(dir.path, {
      // Direct exposure: every namespaced tool in tools/list.
      exposure: { mode: 'all' },
      servers: { everything: servers.everything(), memory: servers.memory() },
    });
    client = await connectStdio(configPath);
    await waitForTools(client, ['everything__echo', 'memory__read_graph']);
  });

  afterAll(async () => {
    await client?.close();
    await dir?.remove();
  });

  it('fails the call in flight with an error naming the server, keeps the others answering, and restarts it', async () => {
    const before = await waitFor(async () => {
      const status = await serverStatus('everything');
      return status?.pid !== undefined ? status : undefined;
    }, 'the status record to show the child pid');
    expect(before.state).toBe('ready');
    expect(before.restarts).toBe(0);

    const inFlight = client.callTool({
      name: 'everything__trigger-long-running-operation',
      arguments: { duration: 30, steps: 30 },
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    process.kill(before.pid!, 'SIGKILL');

    const failed = await inFlight;
    expect(failed.isError).toBe(true);
    expect(textOf(failed)).toMatch(/^server "everything" failed: .*killed by SIGKILL/);

    // The other server never noticed.
    const graph = await client.callTool({ name: 'memory__read_graph', arguments: {} });
    expect(graph.isError).toBeFalsy();

    // Restarted with backoff under a new pid; its tools answer again.
    const after = await waitFor(async () => {
      const status = await serverStatus('everything');
      return status?.state === 'ready' && status.pid !== before.pid ? status : undefined;
    }, 'the server to be restarted');
    expect(after.restarts).toBe(1);
    expect(after.lastError).toMatch(/killed by SIGKILL/);
    const echo = await client.callTool({ name: 'everything__echo', arguments: { message: 'back' } });
    expect(textOf(echo)).toBe('Echo: back');
  });
});
