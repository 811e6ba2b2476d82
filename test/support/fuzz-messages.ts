import { MAX_QUERY_LENGTH } from '../../src/retrieval/catalog-search.js';
import { MAX_ARGUMENT_DEPTH } from '../../src/server/request-params.js';

/**
 * A seeded generator of malformed and hostile JSON-RPC messages for toolscope's fuzz tests. Every case carries
 * the answer toolscope owes it, decided by construction (not by asking toolscope), so a run checks each reply.
 * The tools/call cases assume server-everything behind toolscope with `FUZZ_POLICY` in force.
 */

export type RpcId = string | number;

/** What the reply to one request must be. */
export type Outcome =
  | { readonly type: 'error'; readonly code: number }
  /** A successful result; for tools/call not `isError`, and with exactly this text when given. */
  | { readonly type: 'result'; readonly text?: string }
  /** A tool error from toolscope's pipeline, refused at `stage`. */
  | { readonly type: 'refusal'; readonly stage: string }
  /** A tool error that is not a pipeline refusal (a meta tool turning down its own arguments). */
  | { readonly type: 'tool-error' }
  /** Either, as long as it is well-formed (e.g. deep nesting that may or may not be accepted). */
  | { readonly type: 'any' };

export interface ReplyExpectation {
  readonly id: RpcId;
  readonly outcome: Outcome;
}

/** The answer a payload is owed, independent of the transport (the harnesses map it to stdio lines or HTTP statuses). */
export type Expected =
  | { readonly kind: 'parse-error' }
  /** JSON, but not a JSON-RPC message; `id` is the request id a reply can carry, null when none is readable. */
  | { readonly kind: 'invalid'; readonly id: RpcId | null }
  /** Over the limit; `id` is the request's, which a stdio refusal reads from the line's first or last bytes. */
  | { readonly kind: 'oversize'; readonly id: RpcId }
  /** A JSON-RPC batch; `valid` when each element is a well-formed message on its own. */
  | { readonly kind: 'batch'; readonly valid: boolean; readonly replies: readonly ReplyExpectation[] }
  /** A notification or a client response: nothing comes back. */
  | { readonly kind: 'silent' }
  | ({ readonly kind: 'reply' } & ReplyExpectation);

export interface FuzzCase {
  readonly family: string;
  readonly payload: Buffer;
  readonly expected: Expected;
}

/** The default `limits.maxRequestBytes`: the bound on one client message (stdio line or HTTP body) oversize cases pass. */
const MESSAGE_LIMIT_BYTES = 4 * 1024 * 1024;

export const FUZZ_PRINCIPAL = 'fuzzer';
const ECHO_MAX_LENGTH = 200;

/** The policy the tools/call expectations assume: read-only scopes without get-env, and rules on echo. */
export const FUZZ_POLICY = {
  principals: {
    [FUZZ_PRINCIPAL]: { allow: ['read'], deny: ['everything:get-env'] },
  },
  argumentRules: {
    'everything:echo': { message: { maxLength: ECHO_MAX_LENGTH, pattern: '^[^<>]*$' } },
  },
  rateLimits: { principal: { capacity: 1_000_000, refillPerSecond: 1_000_000 }, search: 'off' },
} as const;

const METHOD_NOT_FOUND = -32601;
/** How many cases above 1 MiB (some past the size limit) one run may hold: they dominate its time. */
const BIG_CASE_BUDGET = 8;
const INVALID_PARAMS = -32602;

/** mulberry32: a tiny, well-mixed 32-bit PRNG; the same seed gives the same cases on every machine. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export class Rng {
  private readonly next: () => number;

  constructor(seed: number) {
    this.next = mulberry32(seed);
  }

  float(): number {
    return this.next();
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)]!;
  }

  bytes(length: number): Buffer {
    const out = Buffer.alloc(length);
    for (let i = 0; i < length; i += 1) out[i] = this.int(0, 255);
    return out;
  }

  /** A string from a hostile alphabet: quotes, escapes, controls, unicode, emoji, lone surrogates, shell syntax. */
  text(maxLength: number, alphabet: readonly string[] = TEXT_ALPHABET): string {
    const length = this.int(0, maxLength);
    let out = '';
    for (let i = 0; i < length; i += 1) out += this.pick(alphabet);
    return out;
  }
}

const TEXT_ALPHABET = [
  ...'abcdefghijklmnopqrstuvwxyz0123456789 _-./:'.split(''),
  '"', '\\', '\n', '\r', '\t', '\u0000', '\u001f', '\u007f', '\u2028', '\u2029', 'é', 'ß', '中', '🙂', '\u202e',
  '\u200b', '\ufeff', '\ud800', '\udfff', '%s', '${env:HOME}', '$(id)', '`id`', '&&', '|', ';',
];
/** The echo rule refuses `<` and `>` (which TEXT_ALPHABET leaves out). */
const RULE_BREAKERS = ['<', '>', '<IMPORTANT>', '<script>'];

/** Builds every case of one run; ids are unique within a generator. */
export class FuzzGenerator {
  private readonly rng: Rng;
  private counter = 0;
  private bigCases = 0;

  private readonly families: ReadonlyArray<readonly [number, Family]>;
  private readonly totalWeight: number;

  constructor(
    seed: number,
    private readonly tag: string,
    /** The session exposes `search_tools` and `call_tool` (exposure mode search or dynamic): fuzz them too. */
    options: { readonly metaTools?: boolean } = {},
  ) {
    this.rng = new Rng(seed);
    this.families = options.metaTools ? [...FAMILIES, [8, metaTools]] : FAMILIES;
    this.totalWeight = this.families.reduce((sum, [weight]) => sum + weight, 0);
  }

  /** A fresh id, alternating strings and numbers. */
  id(): RpcId {
    const serial = this.serial();
    return serial % 2 === 0 ? `${this.tag}-${serial}` : 100_000 + serial;
  }

  /** A number never returned before by this generator. */
  serial(): number {
    this.counter += 1;
    return this.counter;
  }

  cases(count: number): FuzzCase[] {
    return Array.from({ length: count }, () => this.next());
  }

  next(): FuzzCase {
    if (this.bigCases < BIG_CASE_BUDGET && this.rng.chance(0.002)) {
      this.bigCases += 1;
      return this.bigCase();
    }
    let roll = this.rng.float() * this.totalWeight;
    for (const [weight, family] of this.families) {
      roll -= weight;
      if (roll < 0) return family(this);
    }
    return this.families[0]![1](this);
  }

  get random(): Rng {
    return this.rng;
  }

  private bigCase(): FuzzCase {
    const id = this.id();
    if (this.rng.chance(0.5)) {
      // Past the limit: refused without being buffered whole. The id first, or last as the MCP SDK writes it.
      const filler = 'A'.repeat(MESSAGE_LIMIT_BYTES + this.rng.int(1, 512 * 1024));
      const message = this.rng.chance(0.5) ? { jsonrpc: '2.0', id, method: 'ping', params: { filler } } : { method: 'ping', params: { filler }, jsonrpc: '2.0', id };
      return { family: 'oversize', payload: json(message), expected: { kind: 'oversize', id } };
    }
    if (this.rng.chance(0.5)) {
      const filler = 'b'.repeat(this.rng.int(1, 3) * 1024 * 1024);
      return reply('large-under-limit', { jsonrpc: '2.0', id, method: 'ping', params: { filler } }, id, { type: 'result' });
    }
    const message = 'c'.repeat(this.rng.int(1, 3) * 1024 * 1024);
    return reply('large-under-limit', callTool(id, 'everything__echo', { message }), id, { type: 'refusal', stage: 'validate' });
  }
}

type Family = (gen: FuzzGenerator) => FuzzCase;

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value), 'utf8');
}

function reply(family: string, message: unknown, id: RpcId, outcome: Outcome): FuzzCase {
  return { family, payload: json(message), expected: { kind: 'reply', id, outcome } };
}

function callTool(id: RpcId, name: unknown, args?: unknown): Record<string, unknown> {
  return { jsonrpc: '2.0', id, method: 'tools/call', params: args === undefined ? { name } : { name, arguments: args } };
}

function parses(payload: Buffer): boolean {
  try {
    JSON.parse(payload.toString('utf8'));
    return true;
  } catch {
    return false;
  }
}

const notJson: Family = (gen) => {
  const rng = gen.random;
  const valid = JSON.stringify({ jsonrpc: '2.0', id: gen.id(), method: 'tools/list', params: {} });
  const variants: Array<() => Buffer> = [
    () => Buffer.from(valid.slice(0, rng.int(1, valid.length - 2))),
    () => Buffer.concat([Buffer.from('#'), rng.bytes(rng.int(1, 300)).filter((b) => b !== 0x0a)]),
    () => Buffer.from(`{${rng.text(80, [...'abc:,{}[]"\'0123456789 '])}`),
    () => Buffer.from(valid.replace('}', ',}')),
    () => Buffer.from(valid.replaceAll('"', "'")),
    () => Buffer.from(rng.pick(['NaN', 'undefined', '{"jsonrpc":"2.0",}', '{"a":1}{"b":2}', '/* c */ {}', '{"id":1,"method":"ping"', '"unterminated', '[1,2', '0x10', '{"a":01}', 'tru', '\u0000'])),
  ];
  let payload = rng.pick(variants)();
  // A random variant can happen to be valid JSON; a leading brace-less token keeps it broken.
  if (parses(payload)) payload = Buffer.concat([Buffer.from('@'), payload]);
  return { family: 'not-json', payload, expected: { kind: 'parse-error' } };
};

/** Bytes that are not UTF-8: overlong forms, lone continuation bytes, surrogates, truncated sequences, 0xff. */
const BAD_UTF8 = [[0xff], [0xc0, 0xaf], [0x80], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xc3, 0x28], [0xfe, 0xfe, 0xff]];

const invalidUtf8: Family = (gen) => {
  const rng = gen.random;
  const id = gen.id();
  const bad = Buffer.from(rng.pick(BAD_UTF8));
  if (rng.chance(0.6)) {
    // Inside a string value: toolscope reads it as U+FFFD and the call goes through with that text.
    const messageBytes = Buffer.concat([Buffer.from('x'), bad, Buffer.from('y')]);
    const [before, after] = JSON.stringify(callTool(id, 'everything__echo', { message: '\u0001' })).split('\\u0001');
    const payload = Buffer.concat([Buffer.from(before!), messageBytes, Buffer.from(after!)]);
    return { family: 'invalid-utf8', payload, expected: { kind: 'reply', id, outcome: { type: 'result', text: `Echo: ${messageBytes.toString('utf8')}` } } };
  }
  // Between tokens: not JSON at all.
  const text = JSON.stringify({ jsonrpc: '2.0', id, method: 'ping' });
  const at = text.indexOf(',') + 1;
  const payload = Buffer.concat([Buffer.from(text.slice(0, at)), bad, Buffer.from(text.slice(at))]);
  return { family: 'invalid-utf8', payload, expected: { kind: 'parse-error' } };
};

const wrongTypes: Family = (gen) => {
  const rng = gen.random;
  const id = gen.id();
  const base: Record<string, unknown> = { jsonrpc: '2.0', id, method: rng.pick(['ping', 'tools/list', 'tools/call']), params: {} };
  const mutations: Array<() => { message: unknown; id: RpcId | null }> = [
    () => ({ message: { ...base, jsonrpc: rng.pick(['1.0', 2, null, '2.0 ', true]) }, id }),
    () => {
      const { jsonrpc: _dropped, ...rest } = base;
      return { message: rest, id };
    },
    () => ({ message: { ...base, method: rng.pick([42, null, ['ping'], { name: 'ping' }, true]) }, id }),
    () => ({ message: { ...base, params: rng.pick(['params', 7, [1, 2], true, null]) }, id }),
    () => ({ message: { ...base, id: rng.pick([1.5, true, { n: 1 }, [1], null, -0.25]) }, id: null }),
    () => ({ message: { ...base, [rng.pick(['extra', 'result', 'error', '__proto__x'])]: rng.int(0, 9) }, id }),
    () => ({ message: rng.pick([5, 'ping', null, true, -1e308, '']), id: null }),
    () => ({ message: { jsonrpc: '2.0', id, result: rng.pick([5, 'ok', null, [1]]) }, id: null }),
    () => ({ message: { jsonrpc: '2.0', id: null, error: { code: -1, message: 'client error with a null id' } }, id: null }),
    () => ({ message: { jsonrpc: '2.0', id, error: { code: 'E', message: 5 } }, id: null }),
  ];
  const { message, id: replyId } = rng.pick(mutations)();
  return { family: 'wrong-types', payload: json(message), expected: { kind: 'invalid', id: replyId } };
};

const hugeIds: Family = (gen) => {
  const rng = gen.random;
  const variant = rng.int(0, 3);
  if (variant === 0) {
    const id = `${gen.id()}-${'i'.repeat(rng.int(1_000, 100_000))}`;
    return reply('huge-id', { jsonrpc: '2.0', id, method: 'ping' }, id, { type: 'result' });
  }
  if (variant === 1) {
    // The largest integers MCP accepts as ids (the SDK schema admits safe integers only).
    const id = Number.MAX_SAFE_INTEGER - gen.serial();
    return reply('huge-id', { jsonrpc: '2.0', id, method: 'ping' }, id, { type: 'result' });
  }
  if (variant === 2) {
    const id = -(100_000_000 + gen.serial());
    return reply('huge-id', { jsonrpc: '2.0', id, method: 'ping' }, id, { type: 'result' });
  }
  // Past 2^53 (or 1e400, Infinity to JSON.parse) an id is no longer a safe integer, so not a request id.
  const id = gen.random.pick(['1e400', '18014398509481984', '-9007199254740993', '123456789012345678901234567890']);
  const payload = Buffer.from(`{"jsonrpc":"2.0","id":${id},"method":"ping"}`);
  return { family: 'huge-id', payload, expected: { kind: 'invalid', id: null } };
};

function nested(depth: number, kind: 'array' | 'object'): string {
  return kind === 'array' ? `${'['.repeat(depth)}1${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

const deepNesting: Family = (gen) => {
  const rng = gen.random;
  const depth = rng.pick([64, MAX_ARGUMENT_DEPTH - 1, MAX_ARGUMENT_DEPTH, 1_000, 10_000, 100_000]);
  const deep = nested(depth, rng.pick(['array', 'object'] as const));
  const id = gen.id();
  const idJson = JSON.stringify(id);
  const where = rng.int(0, 2);
  if (where === 0) {
    // ping ignores its params, however deep.
    const payload = Buffer.from(`{"jsonrpc":"2.0","id":${idJson},"method":"ping","params":{"deep":${deep}}}`);
    return { family: 'deep-nesting', payload, expected: { kind: 'reply', id, outcome: { type: 'result' } } };
  }
  if (where === 1) {
    // The arguments object is one level more than `deep`: past the limit, refused before the pipeline.
    const payload = Buffer.from(
      `{"jsonrpc":"2.0","id":${idJson},"method":"tools/call","params":{"name":"everything__echo","arguments":{"message":"deep","extra":${deep}}}}`,
    );
    const outcome: Outcome = depth + 1 > MAX_ARGUMENT_DEPTH ? { type: 'error', code: INVALID_PARAMS } : { type: 'result', text: 'Echo: deep' };
    return { family: 'deep-nesting', payload, expected: { kind: 'reply', id, outcome } };
  }
  return { family: 'deep-nesting', payload: Buffer.from(deep), expected: { kind: 'invalid', id: null } };
};

const unknownMethods: Family = (gen) => {
  const rng = gen.random;
  const id = gen.id();
  const method = rng.pick([
    () => `x-${rng.text(40, [...'abcdefghijklmnopqrstuvwxyz/_$.'])}`,
    () => `tools/${rng.text(12, [...'abcxyz_'])}x`,
    // Requests a server sends to a client, not the other way round, and near-misses of real method names.
    () => rng.pick(['sampling/createMessage', 'elicitation/create', 'roots/list', 'rpc.discover', '$/cancelRequest', 'TOOLS/LIST', 'tools/list ', 'tools/call/', 'resources/lists', 'prompts/get/']),
    () => `m${'x'.repeat(rng.int(1_000, 20_000))}`,
    () => `x-${rng.text(20)}`,
  ])();
  return reply('unknown-method', { jsonrpc: '2.0', id, method, params: {} }, id, { type: 'error', code: METHOD_NOT_FOUND });
};

const NOTIFICATION_METHODS = ['notifications/initialized', 'notifications/cancelled', 'notifications/progress', 'notifications/roots/list_changed', 'notifications/x-unknown'];

const notificationsWithIds: Family = (gen) => {
  const id = gen.id();
  const method = gen.random.pick(NOTIFICATION_METHODS);
  return reply('notification-with-id', { jsonrpc: '2.0', id, method, params: {} }, id, { type: 'error', code: METHOD_NOT_FOUND });
};

const notifications: Family = (gen) => {
  const rng = gen.random;
  const message = rng.pick<() => unknown>([
    () => ({ jsonrpc: '2.0', method: 'notifications/initialized' }),
    // requestIds toolscope never issued: nothing to cancel.
    () => ({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: `never-${rng.int(0, 1e9)}`, reason: rng.text(30) } }),
    () => ({ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: rng.int(0, 1e9), progress: rng.float() } }),
    () => ({ jsonrpc: '2.0', method: `notifications/${rng.text(20, [...'abcxyz/_'])}` }),
    () => ({ jsonrpc: '2.0', method: 'ping' }),
    () => ({ jsonrpc: '2.0', method: 'tools/call', params: { name: 'everything__echo', arguments: { message: 'as a notification' } } }),
  ])();
  return { family: 'notification', payload: json(message), expected: { kind: 'silent' } };
};

const clientResponses: Family = (gen) => {
  const id = `response-${gen.id()}`;
  const message = gen.random.chance(0.5)
    ? { jsonrpc: '2.0', id, result: { content: [] } }
    : { jsonrpc: '2.0', id, error: { code: -32000, message: 'a reply to nothing' } };
  return { family: 'client-response', payload: json(message), expected: { kind: 'silent' } };
};

const batches: Family = (gen) => {
  const rng = gen.random;
  const replies: ReplyExpectation[] = [];
  const elements: unknown[] = [];
  for (let i = rng.int(0, 5); i > 0; i -= 1) {
    const id = gen.id();
    const kind = rng.int(0, 3);
    if (kind === 0) {
      elements.push({ jsonrpc: '2.0', id, method: 'ping' });
      replies.push({ id, outcome: { type: 'result' } });
    } else if (kind === 1) {
      const message = `batched ${i}`;
      elements.push(callTool(id, 'everything__echo', { message }));
      replies.push({ id, outcome: { type: 'result', text: `Echo: ${message}` } });
    } else if (kind === 2) {
      elements.push({ jsonrpc: '2.0', method: 'notifications/initialized' });
    } else {
      elements.push({ jsonrpc: '2.0', id, method: 'no/such/method' });
      replies.push({ id, outcome: { type: 'error', code: METHOD_NOT_FOUND } });
    }
  }
  const valid = !rng.chance(0.3);
  if (!valid) elements.splice(rng.int(0, elements.length), 0, rng.pick([42, 'x', { jsonrpc: '1.0', id: 1, method: 'ping' }]));
  return { family: 'batch', payload: json(elements), expected: { kind: 'batch', valid, replies: valid ? replies : [] } };
};

const validCalls: Family = (gen) => {
  const rng = gen.random;
  const id = gen.id();
  const which = rng.int(0, 2);
  if (which === 0) {
    // At most 16 picks of at most 11 characters: under the echo rule's length limit.
    const message = rng.text(16);
    return reply('tools-call-valid', callTool(id, 'everything__echo', { message }), id, { type: 'result', text: `Echo: ${message}` });
  }
  if (which === 1) {
    const number = () => rng.pick([rng.int(-1e6, 1e6), rng.float() * 1e9, -0.5, 1e308, 0]);
    return reply('tools-call-valid', callTool(id, 'everything__get-sum', { a: number(), b: number() }), id, { type: 'result' });
  }
  const location = rng.pick(['New York', 'Chicago', 'Los Angeles']);
  return reply('tools-call-valid', callTool(id, 'everything__get-structured-content', { location }), id, { type: 'result' });
};

const NOT_STRINGS: readonly unknown[] = [42, null, true, [], {}, ['a'], { message: 'nested' }, -1.5];
const NOT_NUMBERS: readonly unknown[] = ['42', null, true, [], {}, [1], { value: 1 }, 'NaN'];

const schemaViolations: Family = (gen) => {
  const rng = gen.random;
  const id = gen.id();
  const args = rng.pick<() => [string, unknown]>([
    () => ['everything__echo', { message: rng.pick(NOT_STRINGS) }],
    () => ['everything__echo', {}],
    () => ['everything__echo', { msg: 'misspelt' }],
    () => ['everything__get-sum', { a: String(rng.int(0, 9)), b: rng.int(0, 9) }],
    () => ['everything__get-sum', { a: rng.int(0, 9) }],
    () => ['everything__get-sum', { a: rng.pick(NOT_NUMBERS), b: rng.pick(NOT_NUMBERS) }],
    () => ['everything__get-structured-content', { location: rng.pick(['Paris', '', 'new york', 42]) }],
    () => ['everything__get-resource-links', { count: rng.pick([0, 11, -3, '3', 1e9]) }],
    () => ['everything__get-annotated-message', { messageType: rng.pick(['fatal', 7, null]) }],
  ])();
  return reply('tools-call-schema', callTool(id, args[0], args[1]), id, { type: 'refusal', stage: 'validate' });
};

const ruleViolations: Family = (gen) => {
  const rng = gen.random;
  const id = gen.id();
  const message = rng.chance(0.5)
    ? 'm'.repeat(ECHO_MAX_LENGTH + rng.int(1, 5_000))
    : `${rng.text(20, [...'abc '])}${rng.pick(RULE_BREAKERS)}${rng.text(20, [...'abc '])}`;
  return reply('tools-call-rule', callTool(id, 'everything__echo', { message }), id, { type: 'refusal', stage: 'validate' });
};

const scopeViolations: Family = (gen) => {
  const id = gen.id();
  const name = gen.random.pick([
    'everything__get-env',
    'everything__gzip-file-as-resource',
    'everything__toggle-simulated-logging',
    'everything__toggle-subscriber-updates',
    'everything__simulate-research-query',
  ]);
  return reply('tools-call-scope', callTool(id, name, {}), id, { type: 'refusal', stage: 'scope' });
};

const malformedCalls: Family = (gen) => {
  const rng = gen.random;
  const id = gen.id();
  const message = rng.pick<() => unknown>([
    () => callTool(id, rng.pick([42, null, { name: 'x' }, ['everything__echo'], true])),
    () => callTool(id, `everything__${rng.text(20, [...'abcxyz-_'])}nope`, {}),
    () => callTool(id, rng.pick(['echo', 'everything__', '__echo', 'everything__echo ', 'EVERYTHING__ECHO', 'everything__echo\u0000', '../everything__echo']), { message: 'x' }),
    () => callTool(id, 'everything__echo', rng.pick(['{"message":"x"}', ['x'], 42, null, true])),
    () => ({ jsonrpc: '2.0', id, method: 'tools/call' }),
    () => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { arguments: { message: 'no name' } } }),
  ])();
  return reply('tools-call-malformed', message, id, { type: 'error', code: INVALID_PARAMS });
};

const prototypeKeys: Family = (gen) => {
  const id = gen.id();
  const idJson = JSON.stringify(id);
  if (gen.random.chance(0.5)) {
    // Extra own keys named like prototype slots: ignored by the schema, the call goes through.
    const payload = Buffer.from(
      `{"jsonrpc":"2.0","id":${idJson},"method":"tools/call","params":{"name":"everything__echo","arguments":{"message":"proto","__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}}}`,
    );
    return { family: 'prototype-keys', payload, expected: { kind: 'reply', id, outcome: { type: 'result', text: 'Echo: proto' } } };
  }
  // `message` only inside `__proto__`: it must not count as given.
  const payload = Buffer.from(
    `{"jsonrpc":"2.0","id":${idJson},"method":"tools/call","params":{"name":"everything__echo","arguments":{"__proto__":{"message":"smuggled"}}}}`,
  );
  return { family: 'prototype-keys', payload, expected: { kind: 'reply', id, outcome: { type: 'refusal', stage: 'validate' } } };
};

const listAndPing: Family = (gen) => {
  const rng = gen.random;
  const id = gen.id();
  return rng.pick<() => FuzzCase>([
    () => reply('tools-list', { jsonrpc: '2.0', id, method: 'tools/list', params: { [rng.text(10, [...'abc']) || 'k']: rng.text(10) } }, id, { type: 'result' }),
    () => reply('tools-list', { jsonrpc: '2.0', id, method: 'tools/list', params: { cursor: rng.pick([5, true, {}]) } }, id, { type: 'error', code: INVALID_PARAMS }),
    () => reply('tools-list', { jsonrpc: '2.0', id, method: 'tools/list', params: { query: rng.pick([5, [], null]) } }, id, { type: 'error', code: INVALID_PARAMS }),
    () => reply('tools-list', { jsonrpc: '2.0', id, method: 'tools/list', params: { query: rng.pick(['echo a message', 'add numbers then echo']) } }, id, { type: 'result' }),
    () => reply('tools-list', { jsonrpc: '2.0', id, method: 'tools/list', params: { query: 'x'.repeat(MAX_QUERY_LENGTH + rng.int(1, 10_000)) } }, id, { type: 'error', code: INVALID_PARAMS }),
    () => reply('ping', { jsonrpc: '2.0', id, method: 'ping', params: { [rng.text(8, [...'xyz']) || 'k']: rng.text(50) } }, id, { type: 'result' }),
    () => reply('ping', { jsonrpc: '2.0', id, method: 'ping', params: { _meta: { progressToken: rng.pick([1, 'p']) } } }, id, { type: 'result' }),
  ])();
};

/** The aggregated resources, prompts and completions: lists answer, requests missing what they need are invalid params. */
const surfaceRequests: Family = (gen) => {
  const rng = gen.random;
  const id = gen.id();
  const [method, params, outcome] = rng.pick<readonly [string, Record<string, unknown>, Outcome]>([
    ['resources/list', {}, { type: 'result' }],
    ['resources/templates/list', {}, { type: 'result' }],
    ['prompts/list', {}, { type: 'result' }],
    ['resources/read', {}, { type: 'error', code: INVALID_PARAMS }],
    ['resources/read', { uri: rng.pick([5, null, []]) }, { type: 'error', code: INVALID_PARAMS }],
    ['prompts/get', {}, { type: 'error', code: INVALID_PARAMS }],
    ['prompts/get', { name: rng.pick([5, null, {}]) }, { type: 'error', code: INVALID_PARAMS }],
    ['completion/complete', {}, { type: 'error', code: INVALID_PARAMS }],
  ]);
  return reply('surface', { jsonrpc: '2.0', id, method, params }, id, outcome);
};

/** search_tools and call_tool, with hostile arguments; call_tool runs the real pipeline underneath. */
const metaTools: Family = (gen) => {
  const rng = gen.random;
  const id = gen.id();
  const call = (name: string, args: unknown) => callTool(id, name, args);
  const message = rng.text(16);
  const cases: Array<() => [unknown, Outcome]> = [
    () => [call('search_tools', { query: rng.pick(['echo a message', 'add two numbers', 'weather in Chicago then sum 2 and 3']) }), { type: 'result' }],
    () => [call('search_tools', { query: rng.pick(['', '   ', 42, null, ['echo']]) }), { type: 'tool-error' }],
    () => [call('search_tools', { query: 'echo', limit: rng.pick([0, 21, -1, 2.5, 'five']) }), { type: 'tool-error' }],
    () => [call('search_tools', { query: 'find '.repeat(MAX_QUERY_LENGTH / 5 + rng.int(1, 50_000)) }), { type: 'tool-error' }],
    () => [call('call_tool', { name: 'everything__echo', arguments: { message } }), { type: 'result', text: `Echo: ${message}` }],
    // Some models send the arguments as a JSON string; it counts as the object it holds.
    () => [call('call_tool', { name: 'everything__echo', arguments: JSON.stringify({ message }) }), { type: 'result', text: `Echo: ${message}` }],
    () => {
      const depth = rng.pick([MAX_ARGUMENT_DEPTH - 1, MAX_ARGUMENT_DEPTH, 50_000]);
      const args = `{"message":"deep","extra":${nested(depth, 'array')}}`;
      const outcome: Outcome = depth + 1 > MAX_ARGUMENT_DEPTH ? { type: 'error', code: INVALID_PARAMS } : { type: 'result', text: 'Echo: deep' };
      return [call('call_tool', { name: 'everything__echo', arguments: args }), outcome];
    },
    () => [call('call_tool', { name: rng.pick(['nope', 'call_tool', 'search_tools', '', 42, null]), arguments: {} }), { type: 'tool-error' }],
    () => [call('call_tool', { name: 'everything__echo', arguments: rng.pick(['{"message":', '[1]', 'null', 42]) }), { type: 'tool-error' }],
    () => [call('call_tool', { name: 'everything__echo', arguments: { message: rng.pick(NOT_STRINGS) } }), { type: 'refusal', stage: 'validate' }],
    () => [call('call_tool', { name: 'everything__echo', arguments: { message: `a<IMPORTANT>${message}` } }), { type: 'refusal', stage: 'validate' }],
    () => [call('call_tool', { name: rng.pick(['everything__get-env', 'everything__toggle-simulated-logging']), arguments: {} }), { type: 'refusal', stage: 'scope' }],
  ];
  const [request, outcome] = rng.pick(cases)();
  return reply('meta-tools', request, id, outcome);
};

/** Families with their relative weights. */
const FAMILIES: ReadonlyArray<readonly [number, Family]> = [
  [10, notJson],
  [6, invalidUtf8],
  [12, wrongTypes],
  [4, hugeIds],
  [4, deepNesting],
  [8, unknownMethods],
  [4, notificationsWithIds],
  [5, notifications],
  [3, clientResponses],
  [4, batches],
  [10, validCalls],
  [10, schemaViolations],
  [5, ruleViolations],
  [4, scopeViolations],
  [6, malformedCalls],
  [2, prototypeKeys],
  [4, listAndPing],
  [4, surfaceRequests],
];

/** How an HTTP fuzz request deviates from a well-behaved one, and the status that deviation must get. */
export interface HostileEnvelope {
  readonly kind: 'no-session' | 'unknown-session' | 'bad-content-type' | 'json-only-accept' | 'foreign-host' | 'foreign-origin' | 'no-token' | 'wrong-token' | 'put' | 'other-path';
  readonly status: number;
}

const ENVELOPES: readonly HostileEnvelope[] = [
  { kind: 'no-session', status: 400 },
  { kind: 'unknown-session', status: 404 },
  { kind: 'bad-content-type', status: 415 },
  { kind: 'json-only-accept', status: 406 },
  { kind: 'foreign-host', status: 403 },
  { kind: 'foreign-origin', status: 403 },
  { kind: 'no-token', status: 401 },
  { kind: 'wrong-token', status: 401 },
  { kind: 'put', status: 405 },
  { kind: 'other-path', status: 404 },
];

/** Mostly none (so the payload is what gets tested), sometimes a hostile envelope around a well-formed message. */
export function hostileEnvelope(rng: Rng): HostileEnvelope | undefined {
  return rng.chance(0.15) ? rng.pick(ENVELOPES) : undefined;
}
