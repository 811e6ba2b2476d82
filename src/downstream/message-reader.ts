import { deserializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

/** A server sent a message longer than the limit; the stream can no longer be trusted. */
export class MessageTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`the server sent a message over ${limit} bytes (limits.maxMessageBytes)`);
    this.name = 'MessageTooLarge';
  }
}

export interface MessageSink {
  message(message: JSONRPCMessage): void;
  /** A line that is not a JSON-RPC message: skipped. */
  invalid(line: string, error: Error): void;
}

const NEWLINE = 0x0a;

/**
 * Splits a stdio stream into newline-delimited JSON-RPC messages holding at most `maxMessageBytes` of an
 * unfinished line: a longer one throws MessageTooLarge as soon as it passes the limit, not when it ends.
 * Chunks of a long line are joined once, when its newline arrives (the SDK's ReadBuffer re-copies the
 * whole buffer on every chunk).
 */
export class MessageReader {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(private readonly maxMessageBytes: number) {}

  push(chunk: Buffer, sink: MessageSink): void {
    let start = 0;
    for (let newline = chunk.indexOf(NEWLINE); newline !== -1; newline = chunk.indexOf(NEWLINE, start)) {
      const piece = chunk.subarray(start, newline);
      this.hold(piece.length);
      const line = this.pending.length === 0 ? piece : Buffer.concat([...this.pending, piece]);
      this.pending = [];
      this.pendingBytes = 0;
      start = newline + 1;
      deliver(line, sink);
    }
    if (start < chunk.length) {
      // A copy, so a few bytes held do not pin the whole chunk.
      const rest = Buffer.from(chunk.subarray(start));
      this.hold(rest.length);
      this.pending.push(rest);
      this.pendingBytes += rest.length;
    }
  }

  private hold(bytes: number): void {
    if (this.pendingBytes + bytes <= this.maxMessageBytes) return;
    this.pending = [];
    this.pendingBytes = 0;
    throw new MessageTooLarge(this.maxMessageBytes);
  }
}

function deliver(line: Buffer, sink: MessageSink): void {
  const text = line.toString('utf8').replace(/\r$/, '');
  if (!text.trim()) return;
  let message: JSONRPCMessage;
  try {
    message = deserializeMessage(text);
  } catch (error) {
    sink.invalid(text, error as Error);
    return;
  }
  sink.message(message);
}
