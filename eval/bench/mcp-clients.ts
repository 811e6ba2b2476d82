import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { Gateway } from '../../src/gateway.js';
import type { Principal } from '../../src/policy/auth/principal.js';
import { childEnv } from './child-process.js';

const CLIENT_INFO = { name: 'toolscope-bench', version: '0.1.0' };

/** An MCP client session, and how to end it (and whatever it started). */
export interface BenchClient {
  readonly client: Client;
  close(): Promise<void>;
}

/** A session with a gateway in this process over the SDK's in-memory transport pair. */
export async function connectInMemory(gateway: Gateway, principal: Principal): Promise<BenchClient> {
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const server = gateway.createSession(principal);
  await server.connect(serverSide);
  const client = new Client(CLIENT_INFO);
  await client.connect(clientSide);
  return {
    client,
    close: async () => {
      await client.close();
      await server.close();
    },
  };
}

/** Starts a server process and talks to it over its stdin/stdout; its stderr is kept to explain a failed start. */
export async function connectStdio(launch: { command: string; args: string[]; cwd: string }): Promise<BenchClient> {
  const transport = new StdioClientTransport({ ...launch, env: childEnv(), stderr: 'pipe' });
  const stderr: string[] = [];
  createInterface({ input: transport.stderr as Readable }).on('line', (line) => {
    stderr.push(line);
    if (stderr.length > 20) stderr.shift();
  });
  const client = new Client(CLIENT_INFO);
  try {
    await client.connect(transport);
  } catch (error) {
    throw new Error(`${launch.args.join(' ')} did not start: ${(error as Error).message}; stderr: ${stderr.join(' | ')}`);
  }
  return { client, close: () => client.close() };
}

/** A Streamable HTTP session, with a bearer token when given; closing ends the session on the server too. */
export async function connectHttp(url: string, token?: string): Promise<BenchClient> {
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } },
  });
  const client = new Client(CLIENT_INFO);
  await client.connect(transport);
  return {
    client,
    close: async () => {
      await transport.terminateSession().catch(() => undefined);
      await client.close();
    },
  };
}

/** One echo call; a tool error counts as a failure, since every bench call is one that must succeed. */
export async function callEcho(client: Client, tool: string, text = 'ping'): Promise<void> {
  const result = await client.callTool({ name: tool, arguments: { text } });
  if (result.isError) {
    const content = result.content as Array<{ type: string; text?: string }>;
    throw new Error(`${tool} answered with an error: ${content.map((part) => part.text ?? part.type).join(' ')}`);
  }
}
