import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  ErrorCode,
  LoggingMessageNotificationSchema,
  McpError,
  PromptListChangedNotificationSchema,
  ResourceListChangedNotificationSchema,
  ResourceUpdatedNotificationSchema,
  ToolListChangedNotificationSchema,
  type CallToolResult,
  type CompleteRequest,
  type CompleteResult,
  type GetPromptResult,
  type LoggingLevel,
  type LoggingMessageNotification,
  type Prompt,
  type ReadResourceResult,
  type Resource,
  type ResourceTemplate,
  type ServerCapabilities,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import { referencedSecretValues } from '../config/env-reference.js';
import type { DownstreamLimits } from '../config/limits.js';
import type { ConfigPaths } from '../config/path-reference.js';
import type { ServerConfig } from '../config/servers.js';
import type { Logger } from '../log.js';
import { traceHeadersFetch, traceMeta } from '../observability/trace-context.js';
import type { ClientChannel } from '../pipeline/call-context.js';
import { boundedFetch } from './bounded-fetch.js';
import { ClientRelay, relayedCapabilities } from './client-relay.js';
import { httpHeaders, stdioLaunch } from './launch.js';
import { collectPages } from './listing-limits.js';
import { checkResultSize } from './result-limit.js';
import { asSent, isServerError } from './server-error.js';
import { describeFailure, sessionLoss } from './session-loss.js';
import type { Bubblewrap } from './sandbox.js';
import { SkippedLines } from './skipped-lines.js';
import { ChildProcessTransport } from './stdio-transport.js';
import { StderrCapture } from './stderr-capture.js';
import { VERSION } from '../version.js';

const CLIENT_INFO = { name: 'toolscope', version: VERSION };

/** How long an HTTP server has to answer the ping that checks, after a transport error, whether it is still there. */
const CHECK_PING_TIMEOUT_MS = 5_000;
/** Transport errors closer together than this are checked with one ping. */
const CHECK_INTERVAL_MS = 1_000;

export interface CallOptions {
  readonly signal?: AbortSignal;
  /** The client the call is made for: gets the server's progress and what the server asks mid-call. */
  readonly client: ClientChannel;
  readonly timeoutMs: number;
  readonly maxResultBytes: number;
}

/** What opening a connection needs besides the server's own config. */
export interface ConnectionContext {
  readonly paths: ConfigPaths;
  readonly logger: Logger;
  readonly hooks: ConnectionHooks;
  readonly signal: AbortSignal;
  readonly bubblewrap: Bubblewrap;
  readonly limits: DownstreamLimits;
}

/** What a stdio child wrote besides MCP messages: what explains a handshake that got no answer. */
interface ChildOutput {
  readonly stderr: StderrCapture;
  readonly skipped: SkippedLines;
}

/** The server left a call unanswered for its whole `timeoutMs`. */
export class CallTimedOut extends Error {
  constructor(timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms (timeoutMs); the call was cancelled`);
    this.name = 'CallTimedOut';
  }
}

/** The client cancelled the call (`notifications/cancelled`, or its session closed) before the server answered. */
export class CallCancelled extends Error {
  constructor(afterMs: number) {
    super(`cancelled by the client after ${(afterMs / 1000).toFixed(1)} s`);
    this.name = 'CallCancelled';
  }
}

/** What a read (a resource, a prompt) is sent with: the caller's cancellation, the server's timeout and result bound. */
export interface ReadOptions {
  readonly signal: AbortSignal;
  readonly timeoutMs: number;
  readonly maxResultBytes: number;
}

/** The lists besides tools a server may announce changes of. */
export type ListKind = 'resources' | 'prompts';

export interface ConnectionHooks {
  /** The server sent `notifications/tools/list_changed`. */
  readonly onToolsChanged: () => void;
  /** The server sent `notifications/resources/list_changed` or `notifications/prompts/list_changed`. */
  readonly onListChanged: (kind: ListKind) => void;
  /** The server sent `notifications/resources/updated` for a resource someone subscribed to. */
  readonly onResourceUpdated: (uri: string) => void;
  /** A log message the server sent while no single client session had a call in flight there. */
  readonly onLog: (params: LoggingMessageNotification['params']) => void;
  /**
   * The connection ended without `close()` being called: the child exited, toolscope reset it, or an HTTP server's
   * session is gone (the server went down, or came back without it).
   */
  readonly onLost: (reason: string) => void;
}

/** One live MCP client session with one downstream server. */
export class DownstreamConnection {
  private closing = false;
  /** Past the handshake: a transport error is the session's concern, no longer the handshake's. */
  private established = false;
  /**
   * Why toolscope ended an HTTP connection: the server broke the protocol (an oversized event), or the session is
   * gone. Stdio transports keep their own.
   */
  private endCause: string | undefined;
  /** A ping checking whether the server is still there is in flight, or was sent at `checkedAt`. */
  private checking = false;
  private checkedAt = 0;

  private constructor(
    private readonly client: Client,
    private readonly transport: Transport,
    private readonly relay: ClientRelay,
  ) {}

  /** Starts the transport, runs the MCP handshake within `timeoutMs`, and wires the hooks. */
  static async open(server: string, config: ServerConfig, context: ConnectionContext): Promise<DownstreamConnection> {
    let connection: DownstreamConnection | undefined;
    const { transport, output } = await createTransport(server, config, context, (reason) => connection?.reset(reason));
    // Set before the client's own: the SDK calls both. An HTTP transport tells of a failed request or a broken stream
    // only here; the session may be gone with it (see transportFailed).
    if (config.type !== 'stdio') transport.onerror = (error) => connection?.transportFailed(error);
    // Stopping the gateway mid-handshake must not wait for a slow server's timeout.
    const abandon = () => void transport.close().catch(() => undefined);
    context.signal.addEventListener('abort', abandon, { once: true });
    const client = new Client(CLIENT_INFO, { capabilities: relayedCapabilities(config.relay) });
    const relay = new ClientRelay(server, config.timeoutMs);
    relay.install(client, config.relay);
    connection = new DownstreamConnection(client, transport, relay);
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => context.hooks.onToolsChanged());
    client.setNotificationHandler(ResourceListChangedNotificationSchema, () => context.hooks.onListChanged('resources'));
    client.setNotificationHandler(PromptListChangedNotificationSchema, () => context.hooks.onListChanged('prompts'));
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, ({ params }) => context.hooks.onResourceUpdated(params.uri));
    // A log line sent during a call goes to that call's client, as its progress does; any other to the listeners.
    client.setNotificationHandler(LoggingMessageNotificationSchema, ({ params }) => {
      const caller = relay.soleCaller();
      if (caller?.log) caller.log(params);
      else context.hooks.onLog(params);
    });
    // Protocol noise (a response to a forgotten request, a progress token it never got) must not flood the log.
    const log = context.logger.child({ server });
    client.onerror = (error) => log.debug({ err: error }, 'protocol error from the server');
    client.onclose = () => {
      if (!connection.closing) context.hooks.onLost(connection.describeLoss());
    };
    try {
      await client.connect(transport, { timeout: config.timeoutMs });
      connection.established = true;
    } catch (error) {
      connection.closing = true;
      // Explained before closing: the child toolscope is about to stop did not exit by itself.
      const explanation = connection.explainHandshake(error, config.timeoutMs, output);
      await transport.close().catch(() => undefined);
      throw new Error(explanation);
    } finally {
      context.signal.removeEventListener('abort', abandon);
    }
    return connection;
  }

  /** The child's pid for stdio servers. */
  get pid(): number | undefined {
    return this.transport instanceof ChildProcessTransport ? this.transport.pid : undefined;
  }

  /** Whether the server runs inside bubblewrap; undefined for HTTP servers. */
  get sandboxed(): boolean | undefined {
    return this.transport instanceof ChildProcessTransport ? this.transport.sandboxed : undefined;
  }

  /** Every tool the server lists, following pagination within `limits` (ListingTooLarge past them). */
  listTools(timeoutMs: number, limits: DownstreamLimits): Promise<Tool[]> {
    return collectPages('tools', limits, async (cursor) => {
      const page = await this.listed(() => this.client.listTools(cursor === undefined ? {} : { cursor }, { timeout: timeoutMs })).catch(
        (error: unknown) => {
          throw isTimeout(error) ? new Error(noAnswer('tools/list', timeoutMs)) : error;
        },
      );
      return { items: page.tools, nextCursor: page.nextCursor };
    });
  }

  /** What the server declared in its handshake (resources, prompts, logging, completions, …). */
  get capabilities(): ServerCapabilities {
    return this.client.getServerCapabilities() ?? {};
  }

  /** Every resource the server lists, following pagination within `limits`. */
  listResources(timeoutMs: number, limits: DownstreamLimits): Promise<Resource[]> {
    return collectPages('resources', limits, async (cursor) => {
      const page = await this.listed(() => this.client.listResources(cursor === undefined ? {} : { cursor }, { timeout: timeoutMs }));
      return { items: page.resources, nextCursor: page.nextCursor };
    });
  }

  /** Every resource template the server lists, following pagination within `limits`. */
  listResourceTemplates(timeoutMs: number, limits: DownstreamLimits): Promise<ResourceTemplate[]> {
    return collectPages('resource templates', limits, async (cursor) => {
      const page = await this.listed(() =>
        this.client.listResourceTemplates(cursor === undefined ? {} : { cursor }, { timeout: timeoutMs }),
      );
      return { items: page.resourceTemplates, nextCursor: page.nextCursor };
    });
  }

  /** Every prompt the server lists, following pagination within `limits`. */
  listPrompts(timeoutMs: number, limits: DownstreamLimits): Promise<Prompt[]> {
    return collectPages('prompts', limits, async (cursor) => {
      const page = await this.listed(() => this.client.listPrompts(cursor === undefined ? {} : { cursor }, { timeout: timeoutMs }));
      return { items: page.prompts, nextCursor: page.nextCursor };
    });
  }

  async readResource(uri: string, options: ReadOptions): Promise<ReadResourceResult> {
    const result = await this.explained(() => this.client.readResource({ uri, ...traceMeta() }, { timeout: options.timeoutMs, signal: options.signal }));
    return checkResultSize(result, options.maxResultBytes);
  }

  async getPrompt(name: string, args: Record<string, string>, options: ReadOptions): Promise<GetPromptResult> {
    const result = await this.explained(() =>
      this.client.getPrompt({ name, arguments: args, ...traceMeta() }, { timeout: options.timeoutMs, signal: options.signal }),
    );
    return checkResultSize(result, options.maxResultBytes);
  }

  complete(params: CompleteRequest['params'], timeoutMs: number, signal: AbortSignal): Promise<CompleteResult> {
    return this.explained(() => this.client.complete(params, { timeout: timeoutMs, signal }));
  }

  async subscribe(uri: string, timeoutMs: number): Promise<void> {
    await this.explained(() => this.client.subscribeResource({ uri }, { timeout: timeoutMs }));
  }

  async unsubscribe(uri: string, timeoutMs: number): Promise<void> {
    await this.explained(() => this.client.unsubscribeResource({ uri }, { timeout: timeoutMs }));
  }

  async setLoggingLevel(level: LoggingLevel, timeoutMs: number): Promise<void> {
    await this.explained(() => this.client.setLoggingLevel(level, { timeout: timeoutMs }));
  }

  /** A listing page; a failure caused by the connection's end says how it ended. Any other error passes as it is. */
  private async listed<T>(request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      const closed = error instanceof McpError && error.code === ErrorCode.ConnectionClosed;
      if (!closed && this.describeEnd() === undefined) throw error;
      throw new Error(this.explain(error));
    }
  }

  /** Runs a request; a failure caused by the connection's end says how it ended. The server's own errors pass as they are. */
  private async explained<T>(request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      if (error instanceof McpError && error.code !== ErrorCode.ConnectionClosed) throw asSent(error);
      throw new Error(this.explain(error));
    }
  }

  /**
   * Aborting `signal` makes the SDK send `notifications/cancelled` downstream. When the client wants progress, the
   * SDK asks the server for it under a token of this connection's own and hands each report to `client.progress`.
   * Progress does not extend `timeoutMs`. A result over `maxResultBytes` throws ResultTooLarge; no answer within
   * `timeoutMs` throws CallTimedOut; the client's cancellation (`signal`) throws CallCancelled.
   */
  async callTool(name: string, args: Record<string, unknown>, options: CallOptions): Promise<CallToolResult> {
    const { client } = options;
    const sentAt = Date.now();
    let result: CallToolResult;
    try {
      result = (await this.relay.during(client, () =>
        this.client.callTool({ name, arguments: args, ...traceMeta() }, undefined, {
          timeout: options.timeoutMs,
          ...(options.signal && { signal: options.signal }),
          ...(client.progress && { onprogress: client.progress }),
        }),
      )) as CallToolResult;
    } catch (error) {
      // The SDK rejects an aborted request as a timeout, with the abort's reason as its message.
      if (isTimeout(error) && options.signal?.aborted) throw new CallCancelled(Date.now() - sentAt);
      if (isTimeout(error)) throw new CallTimedOut(options.timeoutMs);
      if (isServerError(error)) throw asSent(error);
      throw new Error(this.explain(error));
    }
    return checkResultSize(result, options.maxResultBytes);
  }

  /** Whether the server answers a ping within `timeoutMs`: a server that does not is hung, not merely slow. */
  async responds(timeoutMs: number): Promise<boolean> {
    try {
      await this.client.ping({ timeout: timeoutMs });
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.client.close();
  }

  /** The server broke the protocol: fail every pending call with `reason`, and let the supervisor reconnect. */
  private reset(reason: string): void {
    this.end(`${reason}; toolscope reset the connection`);
  }

  /**
   * Fails every pending call with `cause` and closes the client, whose `onclose` tells the supervisor the connection
   * is lost: it reconnects (a new session, a new handshake) with its backoff.
   */
  private end(cause: string): void {
    if (this.closing || this.endCause) return;
    this.endCause = cause;
    void this.client.close().catch(() => undefined);
  }

  /**
   * An HTTP transport's error after the handshake (a request that failed, an event stream that broke). The session
   * is lost when the error says so: the server answered 404 for it (or 400 saying the session id is not valid),
   * nothing listens at its address, a legacy SSE stream ended. A failure that does not say (a reset connection, a
   * proxy's 502, a stream cut short) is checked with a ping: the server's answer, or its own error, shows it is still
   * there (a timeout decides nothing); any other failure ends the connection. The request that failed is not retried.
   */
  private transportFailed(error: unknown): void {
    if (!this.established || this.closing || this.endCause) return;
    const loss = sessionLoss(error);
    if (loss !== undefined) {
      this.end(loss);
      return;
    }
    if (this.checking || Date.now() - this.checkedAt < CHECK_INTERVAL_MS) return;
    this.checking = true;
    this.checkedAt = Date.now();
    this.client
      .ping({ timeout: CHECK_PING_TIMEOUT_MS })
      .catch((failure: unknown) => {
        // An error the transport reports (a 404 for the session, a refused connection) has ended it already.
        if (isTimeout(failure) || isServerError(failure)) return;
        if (failure instanceof McpError && failure.code === ErrorCode.ConnectionClosed) return;
        this.end(`the server stopped answering over HTTP: ${describeFailure(failure)}`);
      })
      .finally(() => {
        this.checking = false;
      });
  }

  private describeLoss(): string {
    return this.describeEnd() ?? 'the connection closed';
  }

  /**
   * An SDK error; when the connection's end is why the request failed, how it ended: toolscope cut it (the
   * server broke the protocol), or the child exited (with its last stderr line).
   */
  private explain(error: unknown): string {
    const message = describeFailure(error);
    const end = this.describeEnd();
    if (!end) return message;
    const closed = error instanceof McpError && error.code === ErrorCode.ConnectionClosed;
    return closed ? end : `${message}; ${end}`;
  }

  /**
   * Why the handshake failed. No answer in time: said as a call timeout is, with what a stdio child wrote instead
   * (stdout lines that were not JSON-RPC, its last stderr line). Anything else: as `explain` says it.
   */
  private explainHandshake(error: unknown, timeoutMs: number, output: ChildOutput | undefined): string {
    const skipped = output?.skipped.describe();
    if (!isTimeout(error)) return [this.explain(error), skipped].filter(Boolean).join('; ');
    const stderr = output?.stderr.explanation();
    return [noAnswer('initialize', timeoutMs), skipped, stderr && `stderr: ${stderr}`].filter(Boolean).join('; ');
  }

  private describeEnd(): string | undefined {
    if (!(this.transport instanceof ChildProcessTransport)) return this.endCause;
    const exit = this.transport.describeExit();
    return this.transport.resetReason ?? (exit && `the server process ${exit}`);
  }
}

/** The transport, and for a stdio child what it writes besides MCP messages. */
async function createTransport(
  server: string,
  config: ServerConfig,
  context: ConnectionContext,
  reset: (reason: string) => void,
): Promise<{ transport: Transport; output?: ChildOutput }> {
  // A request made within a traced call carries the span it belongs to (`traceparent`), as a header and in `_meta`.
  const fetch = traceHeadersFetch(boundedFetch(context.limits.maxMessageBytes, (error) => reset(error.message)));
  switch (config.type) {
    case 'stdio': {
      const spec = await stdioLaunch(server, config, context.paths, context.bubblewrap);
      const log = context.logger.child({ server, stream: 'stderr' });
      const secrets = referencedSecretValues([config.env]);
      const output = {
        stderr: new StderrCapture((line) => log.debug(line), secrets),
        skipped: new SkippedLines(context.logger.child({ server, stream: 'stdout' }), secrets),
      };
      const transport = new ChildProcessTransport(spec, output.stderr, {
        maxMessageBytes: context.limits.maxMessageBytes,
        onInvalidLine: output.skipped.report,
      });
      return { transport, output };
    }
    case 'http':
      return {
        transport: new StreamableHTTPClientTransport(new URL(config.url), {
          requestInit: { headers: httpHeaders(server, config.headers) },
          fetch,
        }),
      };
    case 'sse':
      return {
        transport: new SSEClientTransport(new URL(config.url), { requestInit: { headers: httpHeaders(server, config.headers) }, fetch }),
      };
  }
}

/** The SDK's "Request timed out", said as a call timeout is: which request, within what, and the setting. */
function noAnswer(request: string, timeoutMs: number): string {
  return `no answer to ${request} within ${timeoutMs} ms (timeoutMs)`;
}

function isTimeout(error: unknown): boolean {
  return error instanceof McpError && error.code === ErrorCode.RequestTimeout;
}
