import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  ErrorCode,
  McpError,
  ToolListChangedNotificationSchema,
  type CallToolResult,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import { referencedSecretValues } from '../config/env-reference.js';
import type { ConfigPaths } from '../config/path-reference.js';
import type { ServerConfig } from '../config/servers.js';
import type { Logger } from '../log.js';
import { httpHeaders, stdioLaunchSpec } from './launch.js';
import { ChildProcessTransport } from './stdio-transport.js';
import { StderrCapture } from './stderr-capture.js';

const CLIENT_INFO = { name: 'toolscope', version: '0.1.0' };

export interface CallOptions {
  readonly signal?: AbortSignal;
  readonly timeoutMs: number;
}

export interface ConnectionHooks {
  /** The server sent `notifications/tools/list_changed`. */
  readonly onToolsChanged: () => void;
  /** The connection ended without `close()` being called (the child exited, the HTTP session broke). */
  readonly onLost: (reason: string) => void;
}

/** One live MCP client session with one downstream server. */
export class DownstreamConnection {
  private closing = false;

  private constructor(
    private readonly client: Client,
    private readonly transport: Transport,
  ) {}

  /** Starts the transport, runs the MCP handshake within `timeoutMs`, and wires the hooks. */
  static async open(
    server: string,
    config: ServerConfig,
    context: { paths: ConfigPaths; logger: Logger; hooks: ConnectionHooks; signal: AbortSignal },
  ): Promise<DownstreamConnection> {
    const transport = createTransport(server, config, context.paths, context.logger);
    // Stopping the gateway mid-handshake must not wait for a slow server's timeout.
    const abandon = () => void transport.close().catch(() => undefined);
    context.signal.addEventListener('abort', abandon, { once: true });
    const client = new Client(CLIENT_INFO, { capabilities: {} });
    const connection = new DownstreamConnection(client, transport);
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => context.hooks.onToolsChanged());
    client.onclose = () => {
      if (!connection.closing) context.hooks.onLost(connection.describeLoss());
    };
    try {
      await client.connect(transport, { timeout: config.timeoutMs });
    } catch (error) {
      connection.closing = true;
      await transport.close().catch(() => undefined);
      throw new Error(connection.explain(error));
    } finally {
      context.signal.removeEventListener('abort', abandon);
    }
    return connection;
  }

  /** The child's pid for stdio servers. */
  get pid(): number | undefined {
    return this.transport instanceof ChildProcessTransport ? this.transport.pid : undefined;
  }

  /** Every tool the server lists, following pagination. */
  async listTools(timeoutMs: number): Promise<Tool[]> {
    const tools: Tool[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.client.listTools(cursor === undefined ? {} : { cursor }, { timeout: timeoutMs });
      tools.push(...page.tools);
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    return tools;
  }

  /** Aborting `signal` makes the SDK send `notifications/cancelled` downstream. */
  async callTool(name: string, args: Record<string, unknown>, options: CallOptions): Promise<CallToolResult> {
    try {
      return (await this.client.callTool({ name, arguments: args }, undefined, {
        timeout: options.timeoutMs,
        ...(options.signal && { signal: options.signal }),
      })) as CallToolResult;
    } catch (error) {
      if (error instanceof McpError && error.code === ErrorCode.RequestTimeout) {
        throw new Error(`no answer within ${options.timeoutMs} ms (timeoutMs); the call was cancelled`);
      }
      throw new Error(this.explain(error));
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.client.close();
  }

  private describeLoss(): string {
    const exit = this.transport instanceof ChildProcessTransport ? this.transport.describeExit() : undefined;
    return exit ? `the server process ${exit}` : 'the connection closed';
  }

  /** An SDK error; when the child's exit is why the request failed, how it ended (and its last stderr line). */
  private explain(error: unknown): string {
    const message = error instanceof Error ? error.message : String(error);
    const exit = this.transport instanceof ChildProcessTransport ? this.transport.describeExit() : undefined;
    if (!exit) return message;
    const closed = error instanceof McpError && error.code === ErrorCode.ConnectionClosed;
    return closed ? `the server process ${exit}` : `${message}; the server process ${exit}`;
  }
}

function createTransport(server: string, config: ServerConfig, paths: ConfigPaths, logger: Logger): Transport {
  switch (config.type) {
    case 'stdio': {
      const spec = stdioLaunchSpec(server, config, paths);
      const log = logger.child({ server, stream: 'stderr' });
      const stderr = new StderrCapture((line) => log.debug(line), referencedSecretValues([config.env]));
      return new ChildProcessTransport(spec, stderr);
    }
    case 'http':
      return new StreamableHTTPClientTransport(new URL(config.url), {
        requestInit: { headers: httpHeaders(server, config.headers) },
      });
    case 'sse':
      return new SSEClientTransport(new URL(config.url), {
        requestInit: { headers: httpHeaders(server, config.headers) },
      });
  }
}
