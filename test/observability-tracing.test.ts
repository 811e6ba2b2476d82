import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ListToolsResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../src/config/load.js';
import { createLogger } from '../src/log.js';
import { startTracing } from '../src/observability/tracing.js';
import { configuredSecrets } from '../src/policy/policy.js';
import { startHeaderRecordingServer, type HeaderRecordingServer } from './fixtures/header-recording-server.js';
import { newBearerToken, tokenHash } from './support/bearer.js';
import { serveHttpProcess, type HttpServeProcess } from './support/serve-process.js';
import { ROOT, servers, tempDir, textOf, waitForTools, writeConfig } from './support/toolscope-cli.js';

/** A span as the OTLP/HTTP JSON export carries it (ids in hex). */
interface ExportedSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
  readonly name: string;
  readonly attributes: Record<string, unknown>;
  readonly status?: { code?: number; message?: string };
}

interface OtlpAttribute {
  readonly key: string;
  readonly value: { stringValue?: string; intValue?: string | number; doubleValue?: number; boolValue?: boolean };
}

interface OtlpExport {
  resourceSpans: {
    resource: { attributes: OtlpAttribute[] };
    scopeSpans: { spans: (Omit<ExportedSpan, 'attributes'> & { attributes?: OtlpAttribute[] })[] }[];
  }[];
}

/** A real OTLP/HTTP receiver (JSON encoding) on a free loopback port, keeping every export's raw body and `authorization` header. */
async function otlpReceiver(): Promise<{ url: string; bodies: string[]; authorizations: (string | undefined)[]; close(): Promise<void> }> {
  const bodies: string[] = [];
  const authorizations: (string | undefined)[] = [];
  const server: Server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    req.on('end', () => {
      if (req.url === '/v1/traces' && req.headers['content-type'] === 'application/json') {
        bodies.push(text);
        authorizations.push(req.headers.authorization);
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/v1/traces`, bodies, authorizations, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

function attributesOf(attributes: readonly OtlpAttribute[] = []): Record<string, unknown> {
  const valueOf = ({ stringValue, boolValue, intValue, doubleValue }: OtlpAttribute['value']) =>
    stringValue ?? boolValue ?? (intValue === undefined ? doubleValue : Number(intValue));
  return Object.fromEntries(attributes.map(({ key, value }) => [key, valueOf(value)]));
}

function spansOf(bodies: readonly string[]): { spans: ExportedSpan[]; services: unknown[] } {
  const exports = bodies.map((body) => JSON.parse(body) as OtlpExport);
  const resourceSpans = exports.flatMap((exported) => exported.resourceSpans);
  return {
    services: resourceSpans.map((entry) => attributesOf(entry.resource.attributes)['service.name']),
    spans: resourceSpans.flatMap((entry) =>
      entry.scopeSpans.flatMap((scope) => scope.spans.map((span) => ({ ...span, attributes: attributesOf(span.attributes) }))),
    ),
  };
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
/** A serve's environment that reports each OpenTelemetry module it loads on stderr. */
const REPORTING_LOADS = {
  ...process.env,
  NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${join(ROOT, 'test/fixtures/opentelemetry-load-reporter.mjs')}`,
};
const OPENTELEMETRY_LOADED = 'loaded OpenTelemetry module';
const STAGES = ['audit', 'authenticate', 'scope', 'validate', 'approve', 'rate-limit', 'forward'];
const SECRET_ARGUMENT = 'sk-tracing-0123456789abcdefghijklmnop';
const ROUTE_QUERY = 'echo back the words I say';

interface RouteAnswer {
  readonly tools: unknown[];
  readonly match: string;
  readonly confidence: number;
}

describe('OpenTelemetry traces of a real serve --http (tracing.otlpEndpoint)', () => {
  const token = newBearerToken();
  // Calls the route API: its search limit allows one search, so its second is refused.
  const routerToken = newBearerToken();
  // What a hosted collector would want: in toolscope's environment, named by tracing.otlpHeaders.
  const collectorToken = `otlp-${hex(16)}`;
  // The caller's trace: its HTTP requests carry this traceparent header; one call carries another in params._meta.
  const headerTrace = { traceId: hex(16), spanId: hex(8) };
  const metaTrace = { traceId: hex(16), spanId: hex(8) };
  const searchTrace = { traceId: hex(16), spanId: hex(8) };
  const routeTrace = { traceId: hex(16), spanId: hex(8) };
  const refusedRouteTrace = { traceId: hex(16), spanId: hex(8) };
  const unauthenticatedRouteTrace = { traceId: hex(16), spanId: hex(8) };
  const traceparent = ({ traceId, spanId }: { traceId: string; spanId: string }) => `00-${traceId}-${spanId}-01`;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let receiver: Awaited<ReturnType<typeof otlpReceiver>>;
  let recorder: HeaderRecordingServer;
  let serve: HttpServeProcess;
  let exported: ReturnType<typeof spansOf>;
  let routed: RouteAnswer;

  beforeAll(async () => {
    dir = await tempDir();
    receiver = await otlpReceiver();
    recorder = await startHeaderRecordingServer();
    const configPath = await writeConfig(dir.path, {
      exposure: { mode: 'all' },
      retrieval: { retriever: 'bm25' },
      servers: { everything: servers.everything(), orders: { type: 'http', url: recorder.url } },
      principals: {
        agent: { allow: ['*:*'], tokenHashes: [tokenHash(token)] },
        router: { allow: ['*:*'], tokenHashes: [tokenHash(routerToken)] },
      },
      rateLimits: { principals: { router: { search: { capacity: 1, refillPerSecond: 0.001 } } } },
      tracing: { otlpEndpoint: receiver.url, otlpHeaders: { authorization: 'Bearer ${env:OTLP_TEST_TOKEN}' }, serviceName: 'toolscope-under-test' },
    });
    // Trace-level logs: whatever toolscope logs, the collector's token must not be in it.
    serve = await serveHttpProcess(configPath, { env: { ...REPORTING_LOADS, OTLP_TEST_TOKEN: collectorToken }, logLevel: 'trace' });
    const client = new Client({ name: 'tracing-test', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(serve.url), {
        requestInit: { headers: { authorization: `Bearer ${token}`, traceparent: traceparent(headerTrace) } },
      }),
    );
    await waitForTools(client, ['everything__echo', 'orders__lookup']);
    expect(textOf(await client.callTool({ name: 'everything__echo', arguments: { message: SECRET_ARGUMENT } }))).toBe(`Echo: ${SECRET_ARGUMENT}`);
    expect(textOf(await client.callTool({ name: 'orders__lookup', arguments: { orderId: 'A-17' } }))).toBe('order A-17: shipped');
    // The inputSchema wants a string: refused at the validate stage. Its trace context rides in params._meta (SEP-414).
    const refused = await client.callTool({ name: 'everything__echo', arguments: { message: 42 }, _meta: { traceparent: traceparent(metaTrace) } });
    expect(refused.isError).toBe(true);
    await client.request({ method: 'tools/list', params: { query: 'echo a message', _meta: { traceparent: traceparent(searchTrace) } } }, ListToolsResultSchema);
    const { messages } = await client.getPrompt({ name: 'everything__args-prompt', arguments: { city: 'Reykjavik' } });
    expect(JSON.stringify(messages)).toContain('Reykjavik');
    await client.close();
    const route = (bearer: string, trace: { traceId: string; spanId: string }) =>
      fetch(new URL('/v1/route', serve.url), {
        method: 'POST',
        headers: { authorization: `Bearer ${bearer}`, traceparent: traceparent(trace), 'content-type': 'application/json' },
        body: JSON.stringify({ query: ROUTE_QUERY }),
      });
    const answered = await route(routerToken, routeTrace);
    expect(answered.status).toBe(200);
    routed = (await answered.json()) as RouteAnswer;
    expect((await route(routerToken, refusedRouteTrace)).status).toBe(429);
    expect((await route(newBearerToken(), unauthenticatedRouteTrace)).status).toBe(401);
    // Stopping serve sends the spans still batched.
    await serve.stop();
    exported = spansOf(receiver.bodies);
  });

  afterAll(async () => {
    await serve?.stop();
    await recorder?.close();
    await receiver?.close();
    await dir?.remove();
  });

  const callSpan = (traceId: string, name: string) => {
    const span = exported.spans.find((candidate) => candidate.traceId === traceId && candidate.name === name);
    expect(span, `span "${name}" in trace ${traceId}`).toBeDefined();
    return span!;
  };
  /** The stage spans under `root`, outermost first: each stage's span holds the next one's. */
  const stageChain = (root: ExportedSpan) => {
    const chain: ExportedSpan[] = [];
    for (let parent = root; ; ) {
      const child = exported.spans.find((span) => span.parentSpanId === parent.spanId && span.traceId === root.traceId);
      if (!child) return chain;
      chain.push(child);
      parent = child;
    }
  };

  it('exports a call’s span under the caller’s traceparent, with who, where and how it ended', () => {
    expect(serve.stderr()).toContain(`${OPENTELEMETRY_LOADED} `);
    expect(exported.services).toContain('toolscope-under-test');
    const call = callSpan(headerTrace.traceId, 'tools/call everything__echo');
    expect(call.parentSpanId).toBe(headerTrace.spanId);
    expect(call.attributes).toMatchObject({
      'mcp.method.name': 'tools/call',
      'toolscope.principal': 'agent',
      'toolscope.server': 'everything',
      'toolscope.tool': 'everything__echo',
      'toolscope.outcome': 'ok',
    });
  });

  it('gives each pipeline stage a span within the call’s, in pipeline order', () => {
    const chain = stageChain(callSpan(headerTrace.traceId, 'tools/call everything__echo'));
    expect(chain.map((span) => span.name)).toEqual(STAGES);
    expect(chain.every((span) => span.attributes['toolscope.outcome'] === 'ok')).toBe(true);
  });

  it('names the refusing stage on a refused call’s span, whose trace context came in params._meta', () => {
    const call = callSpan(metaTrace.traceId, 'tools/call everything__echo');
    expect(call.parentSpanId).toBe(metaTrace.spanId);
    expect(call.attributes).toMatchObject({ 'toolscope.outcome': 'refused', 'toolscope.refusal.stage': 'validate' });
    const chain = stageChain(call);
    // Nothing past validate ran.
    expect(chain.map((span) => span.name)).toEqual(['audit', 'authenticate', 'scope', 'validate']);
    expect(chain[3]!.attributes).toMatchObject({ 'toolscope.outcome': 'refused', 'toolscope.refusal.stage': 'validate' });
    expect(chain[3]!.status?.message).toBe('refused at the validate stage');
  });

  it('sends a Streamable HTTP downstream the forward span as its traceparent, in a header and in params._meta', () => {
    const forward = stageChain(callSpan(headerTrace.traceId, 'tools/call orders__lookup')).at(-1)!;
    expect(forward.name).toBe('forward');
    const traced = recorder.seen.filter((headers) => headers.traceparent !== undefined);
    expect(traced.map((headers) => headers.traceparent)).toEqual([`00-${headerTrace.traceId}-${forward.spanId}-01`]);
    // And in the call's params._meta (SEP-414), which a stdio server gets too.
    expect(recorder.callMeta).toEqual([{ traceparent: `00-${headerTrace.traceId}-${forward.spanId}-01` }]);
  });

  it('traces a search (tools/list with a query) as a request of its own', () => {
    const search = callSpan(searchTrace.traceId, 'tools/list');
    expect(search.parentSpanId).toBe(searchTrace.spanId);
    expect(search.attributes).toMatchObject({ 'toolscope.principal': 'agent', 'toolscope.outcome': 'ok' });
  });

  it('traces a prompt get through the same stages, naming the prompt', () => {
    const get = callSpan(headerTrace.traceId, 'prompts/get everything__args-prompt');
    expect(get.attributes).toMatchObject({ 'toolscope.server': 'everything', 'toolscope.tool': 'everything__args-prompt', 'toolscope.outcome': 'ok' });
    expect(stageChain(get).map((span) => span.name)).toEqual(STAGES);
  });

  it('traces a POST /v1/route under the caller’s traceparent header, with who asked and what the search found', () => {
    const span = callSpan(routeTrace.traceId, 'POST /v1/route');
    expect(span.parentSpanId).toBe(routeTrace.spanId);
    expect(routed.tools.length).toBeGreaterThan(0);
    expect(span.attributes).toMatchObject({
      'http.request.method': 'POST',
      'http.route': '/v1/route',
      'toolscope.principal': 'router',
      'toolscope.outcome': 'ok',
      'toolscope.search.tools': routed.tools.length,
      'toolscope.search.match': routed.match,
      'toolscope.search.confidence': routed.confidence,
    });
  });

  it('names the rate-limit stage on a route request refused for its search limit, and traces none without a valid token', () => {
    const refused = callSpan(refusedRouteTrace.traceId, 'POST /v1/route');
    expect(refused.parentSpanId).toBe(refusedRouteTrace.spanId);
    expect(refused.attributes).toMatchObject({ 'toolscope.principal': 'router', 'toolscope.outcome': 'refused', 'toolscope.refusal.stage': 'rate-limit' });
    expect(refused.attributes).not.toHaveProperty('toolscope.search.tools');
    expect(refused.status?.message).toBe('refused at the rate-limit stage');
    expect(exported.spans.filter((span) => span.traceId === unauthenticatedRouteTrace.traceId)).toEqual([]);
  });

  it('sends every export with the otlpHeaders, their variables resolved, and logs none of their values', () => {
    expect(receiver.authorizations.length).toBeGreaterThan(0);
    expect(receiver.authorizations.every((authorization) => authorization === `Bearer ${collectorToken}`)).toBe(true);
    expect(serve.stderr()).not.toContain(collectorToken);
  });

  it('exports no argument value, search query or bearer token', () => {
    const everything = receiver.bodies.join('\n');
    expect(everything).toContain('everything__echo');
    for (const secret of [SECRET_ARGUMENT, 'A-17', 'echo a message', ROUTE_QUERY, 'Reykjavik', token, routerToken, collectorToken]) {
      expect(everything).not.toContain(secret);
    }
  });
});

describe('tracing off (the default)', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let serve: HttpServeProcess;

  beforeAll(async () => {
    dir = await tempDir();
  });
  afterAll(async () => {
    await serve?.stop();
    await dir?.remove();
  });

  it('loads no OpenTelemetry module, even while serving calls', async () => {
    const configPath = await writeConfig(dir.path, { exposure: { mode: 'all' }, retrieval: { retriever: 'bm25' }, servers: { everything: servers.everything() } });
    serve = await serveHttpProcess(configPath, { env: REPORTING_LOADS });
    const client = new Client({ name: 'tracing-off-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(serve.url)));
    await waitForTools(client, ['everything__echo']);
    expect(textOf(await client.callTool({ name: 'everything__echo', arguments: { message: 'untraced' } }))).toBe('Echo: untraced');
    await client.close();
    await serve.stop();
    expect(serve.stderr()).not.toContain(OPENTELEMETRY_LOADED);
  });
});

describe('tracing config', () => {
  it('is off unless otlpEndpoint is set; refuses a bad endpoint, ratio, header or key, naming it', () => {
    expect(parseConfig({}, 'toolscope.json').tracing).toEqual({ serviceName: 'toolscope', sampleRatio: 1, otlpHeaders: {} });
    for (const [tracing, problem] of [
      [{ otlpEndpoint: 'collector:4318' }, /tracing\.otlpEndpoint: must be an http:\/\/ or https:\/\/ URL/],
      [{ otlpEndpoint: 'http://collector:4318/v1/traces', otlpHeaders: { 'api key': 'x' } }, /tracing\.otlpHeaders\.api key: must be an HTTP header name/],
      [{ otlpEndpoint: 'http://collector:4318/v1/traces', otlpHeaders: { 'x-api-key': 'a\r\nx-injected: 1' } }, /tracing\.otlpHeaders\.x-api-key: must not contain a line break/],
      [{ otlpEndpoint: 'http://collector:4318/v1/traces', sampleRatio: 2 }, /tracing\.sampleRatio/],
      [{ otlpEndpoint: 'http://collector:4318/v1/traces', sampleRate: 0.5 }, /unknown key "sampleRate" \(did you mean "sampleRatio"\?\)/],
    ] as const) {
      expect(() => parseConfig({ tracing }, 'toolscope.json')).toThrow(ConfigError);
      expect(() => parseConfig({ tracing }, 'toolscope.json')).toThrow(problem);
    }
  });

  it('stops the start when an otlpHeaders value names an unset variable, saying which header', async () => {
    const { tracing } = parseConfig({ tracing: { otlpEndpoint: 'http://collector:4318/v1/traces', otlpHeaders: { authorization: 'Bearer ${env:OTLP_TEST_UNSET}' } } }, 'toolscope.json');
    await expect(startTracing(tracing, createLogger('silent'))).rejects.toThrow(
      'tracing.otlpHeaders.authorization references ${env:OTLP_TEST_UNSET}, which is not set',
    );
  });

  it('masks the variables otlpHeaders name in the logs and the audit, as other configured secrets', () => {
    const config = parseConfig({ tracing: { otlpEndpoint: 'http://collector:4318/v1/traces', otlpHeaders: { authorization: 'Bearer ${env:OTLP_KEY}' } } }, 'toolscope.json');
    expect(configuredSecrets(config, { OTLP_KEY: 'collector-secret' })).toContain('collector-secret');
  });
});
