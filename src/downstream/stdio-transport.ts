import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { LaunchSpec } from './launch.js';
import { MessageReader, type MessageSink } from './message-reader.js';
import type { StderrCapture } from './stderr-capture.js';

const CLOSE_GRACE_MS = 2_000;

export interface ChildProcessTransportOptions {
  /** The longest stdout line (one message) held; a longer one resets the connection. */
  readonly maxMessageBytes: number;
  /** A stdout line that is not JSON-RPC; it is skipped and the connection goes on. */
  readonly onInvalidLine: (line: string, error: Error) => void;
}

/**
 * MCP over a child's stdin/stdout. Unlike the SDK's StdioClientTransport, the child gets exactly
 * `spec.env` (the SDK adds SHELL, USER, LOGNAME and TERM) and its stderr is captured, never inherited.
 * The child is spawned from its argv with `shell: false`.
 */
export class ChildProcessTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;

  private child: ChildProcess | undefined;
  private readonly reader: MessageReader;
  private readonly sink: MessageSink;
  private exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private resetCause: string | undefined;
  private closeReported = false;
  /** The last message handed to `onmessage`; the next one waits for it (see `deliver`). */
  private delivered: Promise<void> = Promise.resolve();

  constructor(
    private readonly spec: LaunchSpec,
    private readonly stderr: StderrCapture,
    options: ChildProcessTransportOptions,
  ) {
    this.reader = new MessageReader(options.maxMessageBytes);
    this.sink = { message: (message) => this.deliver(message), invalid: options.onInvalidLine };
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** The server runs inside bubblewrap. */
  get sandboxed(): boolean {
    return this.spec.sandboxed === true;
  }

  /** Why toolscope cut the connection itself (the server broke the protocol), if it did. */
  get resetReason(): string | undefined {
    return this.resetCause;
  }

  /** How the child ended, with its last stderr line: the useful part of a "connection closed" error. */
  describeExit(): string | undefined {
    if (!this.exit) return undefined;
    const how = this.exit.signal ? `was killed by ${this.exit.signal}` : `exited with code ${this.exit.code}`;
    const why = this.stderr.explanation();
    return why ? `${how} (stderr: ${why})` : how;
  }

  start(): Promise<void> {
    if (this.child) throw new Error('ChildProcessTransport already started');
    const child = spawn(this.spec.command, [...this.spec.args], {
      cwd: this.spec.cwd,
      env: { ...this.spec.env },
      ...(this.spec.uid !== undefined && { uid: this.spec.uid }),
      ...(this.spec.gid !== undefined && { gid: this.spec.gid }),
      shell: false,
      stdio: ['pipe', 'pipe', 'pipe'],
      windowsHide: true,
    });
    this.child = child;
    child.stdout!.on('data', (chunk: Buffer) => this.receive(chunk));
    child.stderr!.on('data', (chunk: Buffer) => this.stderr.write(chunk));
    child.stdin!.on('error', (error) => this.onerror?.(error));
    child.on('close', (code, signal) => {
      this.stderr.end();
      // A child that never started has no exit to report (its spawn error says it all).
      if (child.pid !== undefined) this.exit = { code, signal };
      this.child = undefined;
      this.reportClose();
    });
    return new Promise((resolve, reject) => {
      child.once('spawn', () => resolve());
      child.on('error', (error) => {
        reject(new Error(`cannot start \`${this.spec.command}\`: ${error.message}`));
        this.onerror?.(error);
      });
    });
  }

  send(message: JSONRPCMessage): Promise<void> {
    const stdin = this.child?.stdin;
    if (!stdin?.writable) return Promise.reject(new Error('not connected: the server process is not running'));
    return new Promise((resolve) => {
      if (stdin.write(serializeMessage(message))) resolve();
      else stdin.once('drain', resolve);
    });
  }

  /** Ends stdin (servers exit on EOF), then SIGTERM, then SIGKILL, each after a grace period. */
  async close(): Promise<void> {
    const child = this.child;
    if (!child) return;
    const closed = once(child, 'close');
    child.stdin?.end();
    for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
      if (await settlesWithin(closed, CLOSE_GRACE_MS)) return;
      child.kill(signal);
    }
    await settlesWithin(closed, CLOSE_GRACE_MS);
  }

  private receive(chunk: Buffer): void {
    if (this.resetCause) return;
    try {
      this.reader.push(chunk, this.sink);
    } catch (error) {
      // Past the size limit the rest of the stream cannot be framed: fail what is pending once the messages read
      // before it are handed over, then end the child.
      this.resetCause = `${(error as Error).message}; toolscope reset the connection`;
      void this.delivered.then(() => {
        this.onerror?.(error as Error);
        this.reportClose();
      });
      void this.close();
    }
  }

  /**
   * Hands messages over one microtask apart, in order. The SDK (1.x) handles a notification a microtask after it
   * arrives but a response at once, so the progress a server sends just before its result, read from the same chunk,
   * would find its handler already gone and be dropped (typescript-sdk#2580).
   */
  private deliver(message: JSONRPCMessage): void {
    this.delivered = this.delivered
      .then(() => this.onmessage?.(message))
      .catch((error: unknown) => this.onerror?.(error as Error));
  }

  private reportClose(): void {
    if (this.closeReported) return;
    this.closeReported = true;
    this.onclose?.();
  }
}

function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  return Promise.race([promise.then(() => true), timeout]).finally(() => clearTimeout(timer));
}
