import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  ErrorCode,
  JSONRPCErrorResponseSchema,
  JSONRPCMessageSchema,
  JSONRPCNotificationSchema,
  JSONRPCRequestSchema,
  JSONRPCResultResponseSchema,
  type JSONRPCMessage,
} from '@modelcontextprotocol/sdk/types.js';
import { InFlight } from '../pipeline/in-flight.js';

const NEWLINE = 0x0a;

/** JSON-RPC code of a request toolscope refuses (as the HTTP transport's refusals). */
const REFUSED_CODE = -32000;

/**
 * MCP over this process's stdin/stdout, newline-delimited. Unlike the SDK's StdioServerTransport, bad input is
 * answered, not dropped, and never ends the session: a line that is not JSON gets a -32700 error, one that is not a
 * JSON-RPC message (a batch, a missing `jsonrpc`, a wrong type) gets -32600 with its id when one can be read, and a
 * line over `maxLineBytes` (`limits.maxRequestBytes`, as for an HTTP body) is discarded as it streams in (never
 * buffered whole) and refused at its end, with the request's id when its first or last bytes show it (clients wait
 * for an answer by id: one with `id: null` would leave them waiting until they time out).
 */
export class StdioSessionTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;

  private partial: Buffer[] = [];
  private partialBytes = 0;
  /** Inside a line too long to keep: its first and last bytes, where the id of a request can be read to answer it. */
  private oversized: { head: Buffer; tail: Buffer } | undefined;
  private closed = false;
  /** Set while toolscope stops: requests are refused with it, answers to what a call asked the client still pass. */
  private refusal: string | undefined;
  /** Ids of the requests received and not answered yet. */
  private readonly unanswered = new InFlight<string | number>();
  private readonly onData = (chunk: Buffer) => this.receive(chunk);
  private readonly onEnd = () => void this.close();
  private readonly onInputError = (error: Error) => this.onerror?.(error);

  constructor(
    private readonly maxLineBytes: number,
    private readonly input: NodeJS.ReadableStream = process.stdin,
    private readonly output: NodeJS.WritableStream = process.stdout,
  ) {}

  async start(): Promise<void> {
    this.input.on('data', this.onData);
    this.input.on('error', this.onInputError);
    // The client going away ends the session.
    this.input.once('end', this.onEnd);
  }

  send(message: JSONRPCMessage): Promise<void> {
    const sent = this.write(message);
    const answers = answeredRequest(message);
    if (answers !== undefined) {
      // Answered, whether written or not: a closed session answers nothing more.
      const done = () => this.unanswered.delete(answers);
      sent.then(done, done);
    }
    return sent;
  }

  /** From now on every request is refused with `message` (a JSON-RPC error); responses and notifications still pass. */
  refuseRequests(message: string): void {
    this.refusal = message;
  }

  /** Whether every request received so far (and meanwhile) was answered, or the session closed, within `timeoutMs`. */
  answered(timeoutMs: number): Promise<boolean> {
    return this.unanswered.ended(timeoutMs);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.input.off('data', this.onData);
    this.input.off('error', this.onInputError);
    this.input.off('end', this.onEnd);
    this.input.pause();
    this.partial = [];
    // A closed session answers nothing more: nobody is to wait for it.
    for (const id of this.unanswered.values()) this.unanswered.delete(id);
    this.onclose?.();
  }

  private receive(chunk: Buffer): void {
    let start = 0;
    for (let end = chunk.indexOf(NEWLINE); end !== -1; end = chunk.indexOf(NEWLINE, start)) {
      const piece = chunk.subarray(start, end);
      start = end + 1;
      if (this.oversized || this.partialBytes + piece.length > this.maxLineBytes) {
        this.keepEdges(piece);
        this.refuseOversize();
      } else {
        const line = this.partial.length === 0 ? piece : Buffer.concat([...this.partial, piece]);
        this.dropPartial();
        this.handleLine(line);
      }
    }
    const rest = chunk.subarray(start);
    if (rest.length === 0) return;
    if (this.oversized || this.partialBytes + rest.length > this.maxLineBytes) {
      this.keepEdges(rest);
      return;
    }
    this.partial.push(rest);
    this.partialBytes += rest.length;
  }

  private handleLine(bytes: Buffer): void {
    const text = bytes.toString('utf8');
    if (text.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      this.reply(null, ErrorCode.ParseError, `parse error: ${(error as Error).message}`);
      return;
    }
    const parsed = JSONRPCMessageSchema.safeParse(value);
    if (!parsed.success) {
      this.reply(requestIdOf(value), ErrorCode.InvalidRequest, `invalid JSON-RPC message: ${whyInvalid(value)}`);
      return;
    }
    const message = parsed.data;
    if ('method' in message && 'id' in message) {
      if (this.refusal !== undefined) {
        this.reply(message.id, REFUSED_CODE, this.refusal);
        return;
      }
      this.unanswered.add(message.id);
    }
    this.onmessage?.(message);
  }

  /** Keeps only the first and last bytes of a line too long to keep, `more` being its next part. */
  private keepEdges(more: Buffer): void {
    if (!this.oversized) {
      const parts = [...this.partial, more];
      this.oversized = { head: Buffer.concat(parts, Math.min(EDGE_BYTES, this.partialBytes + more.length)), tail: Buffer.alloc(0) };
      this.dropPartial();
      for (const part of parts) this.oversized.tail = lastBytes(Buffer.concat([this.oversized.tail, lastBytes(part)]));
      return;
    }
    this.oversized.tail = lastBytes(Buffer.concat([this.oversized.tail, lastBytes(more)]));
  }

  private refuseOversize(): void {
    const id = this.oversized && idAtEdges(this.oversized.head.toString('utf8'), this.oversized.tail.toString('utf8'));
    this.oversized = undefined;
    this.reply(id ?? null, ErrorCode.InvalidRequest, `message over ${this.maxLineBytes} bytes (limits.maxRequestBytes), discarded`);
  }

  private reply(id: string | number | null, code: number, message: string): void {
    this.write({ jsonrpc: '2.0', id, error: { code, message } }).catch((error: unknown) => this.onerror?.(error as Error));
  }

  private write(message: object): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the stdio session is closed'));
    const line = `${JSON.stringify(message)}\n`;
    return new Promise((resolve) => {
      if (this.output.write(line)) resolve();
      else this.output.once('drain', resolve);
    });
  }

  private dropPartial(): void {
    this.partial = [];
    this.partialBytes = 0;
  }
}

/** How much of each end of a line too long to keep is kept: enough for the keys before or after a request's id. */
const EDGE_BYTES = 512;

function lastBytes(bytes: Buffer): Buffer {
  return bytes.length > EDGE_BYTES ? bytes.subarray(bytes.length - EDGE_BYTES) : bytes;
}

const ID_VALUE = String.raw`(-?\d+|"(?:[^"\\]|\\.)*")`;
/** `{"jsonrpc": "2.0", "method": "…", "id": 7` at a line's start: the id of the message itself, not of its params. */
const ID_AT_START = new RegExp(String.raw`^\s*\{(?:\s*"(?:jsonrpc|method)"\s*:\s*"(?:[^"\\]|\\.)*"\s*,)*\s*"id"\s*:\s*` + ID_VALUE);
/** `, "id": 7}` closing the line (the SDK writes the id last): a nested object would need a second brace. */
const ID_AT_END = new RegExp(String.raw`[,{]\s*"id"\s*:\s*` + ID_VALUE + String.raw`\s*\}\s*$`);

/** `{"method":` or `{"jsonrpc": "2.0", "id": 7, "method":` at a line's start: a request, not a response. */
const REQUEST_AT_START = new RegExp(String.raw`^\s*\{(?:\s*"(?:jsonrpc|id)"\s*:\s*` + ID_VALUE + String.raw`\s*,)*\s*"method"\s*:`);

/**
 * The id of a request that was too long to read, from its first or last bytes; undefined when neither shows it, or
 * when the line is no request: a response's id is one of toolscope's own requests, and an error under it would reach
 * the client as the failure of its own request of that number.
 */
function idAtEdges(head: string, tail: string): string | number | undefined {
  if (!REQUEST_AT_START.test(head)) return undefined;
  const found = ID_AT_START.exec(head)?.[1] ?? ID_AT_END.exec(tail)?.[1];
  if (found === undefined) return undefined;
  const id: unknown = JSON.parse(found);
  return typeof id === 'string' || Number.isSafeInteger(id) ? (id as string | number) : undefined;
}

/** The id of the request a response (result or error) answers; undefined for requests and notifications. */
function answeredRequest(message: JSONRPCMessage): string | number | undefined {
  return 'method' in message || !('id' in message) ? undefined : message.id;
}

/** The id of something that tried to be a request, so its sender can match the error; null when unreadable. */
function requestIdOf(value: unknown): string | number | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || !('method' in value)) return null;
  const id = (value as { id?: unknown }).id;
  if (typeof id === 'string' || Number.isSafeInteger(id)) return id as string | number;
  return null;
}

/** What is wrong with a value that is not a JSON-RPC message, judged against the kind of message it looks like. */
function whyInvalid(value: unknown): string {
  if (Array.isArray(value)) return 'batches are not supported, send one message per line';
  if (value === null || typeof value !== 'object') return 'a message must be a JSON object';
  const schema =
    'method' in value
      ? 'id' in value
        ? JSONRPCRequestSchema
        : JSONRPCNotificationSchema
      : 'error' in value
        ? JSONRPCErrorResponseSchema
        : JSONRPCResultResponseSchema;
  const issues = schema.safeParse(value).error?.issues ?? [];
  return issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || '(message)'}: ${issue.message}`)
    .join('; ');
}
