import { REFUSAL_META_KEY } from '../../src/pipeline/refusal.js';
import type { Outcome, RpcId } from './fuzz-messages.js';

/** A reply as it came back, already checked to be well-formed. */
export interface RpcReply {
  readonly jsonrpc: '2.0';
  readonly id: RpcId | null;
  readonly result?: Record<string, unknown>;
  readonly error?: { readonly code: number; readonly message: string; readonly data?: unknown };
}

const RESPONSE_KEYS = new Set(['jsonrpc', 'id', 'result', 'error']);

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * Why `value` is not a well-formed JSON-RPC 2.0 response or server notification; undefined when it is one.
 * A server-to-client request counts as wrong too: nothing in the fuzz run gives toolscope a reason to send one.
 */
export function malformation(value: unknown): string | undefined {
  if (!isObject(value)) return 'not a JSON object';
  if (value.jsonrpc !== '2.0') return `jsonrpc is ${JSON.stringify(value.jsonrpc)}`;
  if ('method' in value) {
    if (typeof value.method !== 'string') return 'notification method is not a string';
    if ('id' in value) return `unexpected server-to-client request ${value.method}`;
    return undefined;
  }
  const extra = Object.keys(value).filter((key) => !RESPONSE_KEYS.has(key));
  if (extra.length > 0) return `unexpected keys ${extra.join(', ')}`;
  const id = value.id;
  if (!(id === null || typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id)))) return `bad id ${JSON.stringify(id)}`;
  if (('result' in value) === ('error' in value)) return 'must hold exactly one of result and error';
  if ('result' in value) return isObject(value.result) ? undefined : 'result is not an object';
  const error = value.error;
  if (!isObject(error)) return 'error is not an object';
  if (!Number.isInteger(error.code)) return 'error.code is not an integer';
  if (typeof error.message !== 'string' || error.message === '') return 'error.message is not a non-empty string';
  return undefined;
}

export const isNotification = (value: Record<string, unknown>): boolean => 'method' in value;

/** The key a reply is matched by: ids compare as their JSON (so 2^60 matches however it was printed). */
export function idKey(id: RpcId): string {
  return `${typeof id}:${JSON.stringify(id)}`;
}

function textOf(result: Record<string, unknown>): string {
  const content = Array.isArray(result.content) ? (result.content as Array<{ type?: string; text?: string }>) : [];
  return content.map((part) => (part.type === 'text' ? (part.text ?? '') : '')).join('\n');
}

/** Why a well-formed reply is not the outcome the case was owed; undefined when it is. */
export function outcomeProblem(reply: RpcReply, outcome: Outcome): string | undefined {
  const got = reply.error
    ? `error ${reply.error.code} ${reply.error.message.slice(0, 160)}`
    : `result ${JSON.stringify(reply.result).slice(0, 200)}`;
  switch (outcome.type) {
    case 'any':
      return undefined;
    case 'error':
      return reply.error?.code === outcome.code ? undefined : `expected error ${outcome.code}, got ${got}`;
    case 'result': {
      if (!reply.result) return `expected a result, got ${got}`;
      if (reply.result.isError === true) return `expected a successful result, got ${got}`;
      if (outcome.text !== undefined && textOf(reply.result) !== outcome.text) {
        return `expected text ${JSON.stringify(outcome.text).slice(0, 120)}, got ${got}`;
      }
      return undefined;
    }
    case 'tool-error': {
      const refused = (reply.result?._meta as Record<string, unknown> | undefined)?.[REFUSAL_META_KEY];
      return reply.result?.isError === true && refused === undefined ? undefined : `expected a tool error, got ${got}`;
    }
    case 'refusal': {
      const refused = (reply.result?._meta as Record<string, { stage?: string }> | undefined)?.[REFUSAL_META_KEY];
      if (reply.result?.isError === true && refused?.stage === outcome.stage) return undefined;
      return `expected a refusal at the ${outcome.stage} stage, got ${got}`;
    }
  }
}

/** The JSON-RPC messages of a `text/event-stream` body (events with empty data, e.g. priming events, skipped). */
export function parseSse(body: string): unknown[] {
  const messages: unknown[] = [];
  for (const event of body.split(/\r?\n\r?\n/)) {
    const data = event
      .split(/\r?\n/)
      .filter((line) => line.startsWith('data:'))
      .map((line) => line.slice(5).replace(/^ /, ''))
      .join('\n');
    if (data !== '') messages.push(JSON.parse(data));
  }
  return messages;
}
