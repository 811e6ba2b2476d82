import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ListRootsRequestSchema,
  ProgressNotificationSchema,
  type ClientCapabilities,
  type CreateMessageResult,
  type Progress,
} from '@modelcontextprotocol/sdk/types.js';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/load.js';
import { createGateway, type Gateway } from '../src/gateway.js';
import { serveHttp, type RunningHttpServer } from '../src/server/http.js';
import { RELAYED_FROM_META_KEY } from '../src/downstream/client-relay.js';
import { generateToken, hashToken } from '../src/policy/auth/token.js';
import { readAuditFile } from './support/audit-file.js';
import { servers, tempDir, textOf, waitFor } from './support/toolscope-cli.js';
import type { TempDir } from './support/temp-dir.js';

/**
 * A real gateway in front of the real server-everything over stdio; clients are real SDK clients, in memory or over
 * Streamable HTTP. What the server reports (progress) and asks (sampling, elicitation, roots) mid-call must reach the
 * session that made the call, and no other.
 */

const LONG_RUNNING = 'everything__trigger-long-running-operation';
const SAMPLING = 'everything__trigger-sampling-request';
const ELICITATION = 'everything__trigger-elicitation-request';
const ROOTS = 'everything__get-roots-list';

const CANNED_SAMPLE: CreateMessageResult = {
  model: 'canned-model',
  role: 'assistant',
  content: { type: 'text', text: 'the canned answer is 42' },
};

let dir: TempDir;
let gateway: Gateway;
let http: RunningHttpServer;
const logLines: string[] = [];
const clients: Client[] = [];
const ROOTS_REFUSED = 'Failed to request roots from client';

beforeAll(async () => {
  dir = await tempDir();
  const everything = { ...servers.everything(), relay: ['sampling', 'elicitation', 'roots'] };
  const config = parseConfig({ exposure: { mode: 'all' }, servers: { everything } }, 'test');
  // Debug level: the downstream's stderr lands here, which is where the server says what toolscope answered it.
  const logger = pino({ level: 'debug' }, { write: (line: string) => void logLines.push(line) });
  gateway = createGateway({ path: join(dir.path, 'toolscope.json'), baseDir: dir.path, config }, { logger });
  await gateway.start();
  // The tools that need sampling, elicitation and roots appear only because toolscope declares them downstream.
  const tools = [LONG_RUNNING, SAMPLING, ELICITATION, ROOTS];
  await waitFor(() => tools.every((name) => gateway.catalog.get(name)), 'server-everything tools');
  // server-everything asks for roots 350 ms after its handshake, before any client has called anything: that request
  // must be answered (refused) before a test's call could be taken for its owner.
  await waitFor(() => logLines.some((line) => line.includes(ROOTS_REFUSED)), "server-everything's first roots/list");
  http = await serveHttp(gateway, { host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  for (const client of clients) await client.close();
  await http?.close();
  await gateway?.stop();
  await dir?.remove();
});

async function connect(
  capabilities: ClientCapabilities = {},
  transport: 'memory' | 'http' = 'memory',
): Promise<Client> {
  const client = new Client({ name: 'relay-test', version: '1.0.0' }, { capabilities });
  let clientSide: Transport;
  if (transport === 'http') {
    clientSide = new StreamableHTTPClientTransport(new URL(http.url));
  } else {
    const [memoryClient, memoryServer] = InMemoryTransport.createLinkedPair();
    await gateway.createSession().connect(memoryServer);
    clientSide = memoryClient;
  }
  await client.connect(clientSide);
  clients.push(client);
  return client;
}

/** Every progress notification the client receives, with the token exactly as it arrived. */
function recordProgress(client: Client): Array<Progress & { progressToken: string | number }> {
  const received: Array<Progress & { progressToken: string | number }> = [];
  client.setNotificationHandler(ProgressNotificationSchema, (notification) => void received.push(notification.params));
  return received;
}

function longRunning(client: Client, progressToken: string, steps: number, seconds = 1) {
  return client.callTool({ name: LONG_RUNNING, arguments: { duration: seconds, steps }, _meta: { progressToken } });
}

function answerSampling(client: Client): Array<string> {
  const prompts: string[] = [];
  client.setRequestHandler(CreateMessageRequestSchema, (request) => {
    const first = request.params.messages[0]?.content;
    prompts.push(first && 'text' in first ? String(first.text) : '');
    return CANNED_SAMPLE;
  });
  return prompts;
}

describe('relaying downstream progress and server requests to the calling client', () => {
  it("relays the server's progress under the client's own progress token", async () => {
    const client = await connect();
    const progress = recordProgress(client);

    const result = await longRunning(client, 'my-token', 4);

    expect(textOf(result)).toContain('Long running operation completed');
    expect(progress).toEqual([1, 2, 3, 4].map((step) => ({ progressToken: 'my-token', progress: step, total: 4 })));
  });

  it('keeps the progress of two concurrent sessions apart, even under the same token', async () => {
    const [first, second] = [await connect(), await connect()];
    const [firstProgress, secondProgress] = [recordProgress(first), recordProgress(second)];

    await Promise.all([longRunning(first, 'same-token', 3), longRunning(second, 'same-token', 5)]);

    expect(firstProgress.map((p) => [p.progressToken, p.progress, p.total])).toEqual(
      [1, 2, 3].map((step) => ['same-token', step, 3]),
    );
    expect(secondProgress.map((p) => [p.progressToken, p.progress, p.total])).toEqual(
      [1, 2, 3, 4, 5].map((step) => ['same-token', step, 5]),
    );
  });

  it("answers the server's sampling request with the calling client's answer", async () => {
    const client = await connect({ sampling: {} });
    const prompts = answerSampling(client);

    const result = await client.callTool({ name: SAMPLING, arguments: { prompt: 'what is six times seven?' } });

    expect(result.isError).toBeFalsy();
    expect(prompts).toEqual([expect.stringContaining('what is six times seven?')]);
    expect(textOf(result)).toContain('the canned answer is 42');
    expect(textOf(result)).toContain('canned-model');
  });

  it('tells a client without the sampling capability which capability was missing', async () => {
    const client = await connect();

    const result = await client.callTool({ name: SAMPLING, arguments: { prompt: 'anyone there?' } });

    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain(
      'toolscope cannot relay sampling/createMessage from server "everything": the calling client did not declare the sampling capability',
    );
  });

  it("relays the server's elicitation form to the calling client and its answer back", async () => {
    const client = await connect({ elicitation: {} });
    const messages: string[] = [];
    client.setRequestHandler(ElicitRequestSchema, (request) => {
      messages.push(request.params.message);
      return { action: 'accept', content: { name: 'Ada Lovelace', check: true } };
    });

    const result = await client.callTool({ name: ELICITATION, arguments: {} });

    expect(messages).toEqual(['[Asked by server "everything", relayed by toolscope. This is not a toolscope approval.]\nPlease provide inputs for the following fields:']);
    expect(textOf(result)).toContain('- Name: Ada Lovelace');
    expect(textOf(result)).toContain('- Agreed to terms: true');
  });

  it("answers the server's roots/list with the calling client's roots", async () => {
    const client = await connect({ roots: {} });
    const roots = [{ uri: 'file:///srv/relay-root', name: 'relay root' }];
    client.setRequestHandler(ListRootsRequestSchema, () => ({ roots }));

    const result = await client.callTool({ name: ROOTS, arguments: {} });

    expect(textOf(result)).toContain('URI: file:///srv/relay-root');
  });

  it('refuses a server request while no call is in flight, rather than guessing a client', async () => {
    // The roots/list server-everything sent right after its handshake (see beforeAll), as it reported the answer.
    const line = logLines.find((entry) => entry.includes(ROOTS_REFUSED));
    expect(line).toContain('toolscope relays roots/list only to the client whose tool call is in flight, and no call to server');
  });

  it('refuses a server request while calls from two sessions are in flight', async () => {
    const busy = await connect();
    const asking = await connect({ sampling: {} });
    const prompts = answerSampling(asking);
    const progress = recordProgress(busy);
    const running = longRunning(busy, 'busy', 4, 4);
    await waitFor(() => progress.length > 0, 'the first session to be mid-call');

    const result = await asking.callTool({ name: SAMPLING, arguments: { prompt: 'whose call is this?' } });

    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain(
      'toolscope cannot tell which client sampling/createMessage from server "everything" is for: calls from 2 client sessions are in flight there',
    );
    expect(prompts).toEqual([]);
    await running;
  });

  it('cancels a relayed request at the client when the client cancels the call', async () => {
    const client = await connect({ sampling: {} });
    let asked = 0;
    let cancelled = false;
    client.setRequestHandler(CreateMessageRequestSchema, (_request, extra) => {
      asked++;
      if (asked === 1) return CANNED_SAMPLE;
      return new Promise<CreateMessageResult>((_resolve, reject) => {
        extra.signal.addEventListener('abort', () => {
          cancelled = true;
          reject(new Error('cancelled'));
        });
      });
    });
    // The SDK (1.32) ignores a cancellation of request id 0 (typescript-sdk#2283), and the session's first request
    // to its client has that id: the request to cancel is the second.
    await client.callTool({ name: SAMPLING, arguments: { prompt: 'first' } });
    const abort = new AbortController();

    const call = client.callTool({ name: SAMPLING, arguments: { prompt: 'never mind' } }, undefined, {
      signal: abort.signal,
    });
    await waitFor(() => asked === 2, 'the second sampling request to reach the client');
    abort.abort('user pressed stop');

    await expect(call).rejects.toThrow('user pressed stop');
    await waitFor(() => cancelled, 'the relayed sampling request to be cancelled at the client');
  });

  it('ends the call downstream when its client closes the session mid-call', async () => {
    const client = await connect();
    const progress = recordProgress(client);
    // Twenty seconds of work, reporting each second.
    void longRunning(client, 'closing', 20, 20).catch(() => undefined);
    await waitFor(() => progress.length >= 1, 'the long operation to be under way downstream');
    await client.close();

    // The call's audit line is written when the call ends: within seconds, not when the operation would have finished.
    const auditPath = join(dir.path, '.toolscope', 'audit.jsonl');
    const record = await waitFor(
      async () => (await readAuditFile(auditPath)).records.find((line) => line.arguments?.steps === 20),
      'the audit record of the call whose session closed',
      5_000,
    );
    expect(record.outcome).not.toBe('ok');
  });

  it('relays progress and sampling over Streamable HTTP on the call’s own stream', async () => {
    const client = await connect({ sampling: {} }, 'http');
    const progress = recordProgress(client);
    answerSampling(client);

    const sampled = await client.callTool({ name: SAMPLING, arguments: { prompt: 'over http' } });
    const ran = await longRunning(client, 'http-token', 2);

    expect(textOf(sampled)).toContain('the canned answer is 42');
    expect(textOf(ran)).toContain('Long running operation completed');
    expect(progress.map((p) => [p.progressToken, p.progress])).toEqual([
      ['http-token', 1],
      ['http-token', 2],
    ]);
  });
});

describe('what is relayed by default', () => {
  it('declares sampling and elicitation to a server, and roots only when its config asks for them', async () => {
    const defaultDir = await tempDir();
    const config = parseConfig(
      { exposure: { mode: 'all' }, retrieval: { retriever: 'bm25' }, servers: { everything: servers.everything() } },
      'test',
    );
    const plain = createGateway(
      { path: join(defaultDir.path, 'toolscope.json'), baseDir: defaultDir.path, config },
      { logger: pino({ level: 'silent' }) },
    );
    try {
      await plain.start();
      await waitFor(() => [SAMPLING, ELICITATION].every((name) => plain.catalog.get(name)), 'server-everything tools');
      expect(plain.catalog.get(ROOTS)).toBeUndefined();
      expect(gateway.catalog.get(ROOTS)).toBeDefined();
    } finally {
      await plain.stop();
      await defaultDir.remove();
    }
  });
});

describe('relaying is a scope of its own per principal', () => {
  const readerToken = generateToken();
  const trustedToken = generateToken();
  let scopedDir: TempDir;
  let scoped: Gateway;
  let scopedHttp: RunningHttpServer;

  beforeAll(async () => {
    scopedDir = await tempDir();
    const everything = { ...servers.everything(), relay: ['sampling', 'elicitation'] };
    const config = parseConfig(
      {
        exposure: { mode: 'all' },
        approval: { required: [] },
        servers: { everything },
        principals: {
          // May call every tool of the server, but nothing the server asks mid-call reaches its client.
          reader: { allow: ['everything:*'], tokenHashes: [hashToken(readerToken)] },
          trusted: { allow: ['everything:*'], relay: ['everything:sampling', 'elicitation'], tokenHashes: [hashToken(trustedToken)] },
        },
      },
      'test',
    );
    scoped = createGateway({ path: join(scopedDir.path, 'toolscope.json'), baseDir: scopedDir.path, config }, { logger: pino({ level: 'silent' }) });
    await scoped.start();
    await waitFor(() => [SAMPLING, ELICITATION].every((name) => scoped.catalog.get(name)), 'server-everything tools');
    scopedHttp = await serveHttp(scoped, { host: '127.0.0.1', port: 0 });
  });

  afterAll(async () => {
    await scopedHttp?.close();
    await scoped?.stop();
    await scopedDir?.remove();
  });

  async function connectAs(token: string): Promise<Client> {
    const client = new Client({ name: 'relay-scope-test', version: '1.0.0' }, { capabilities: { sampling: {}, elicitation: {} } });
    await client.connect(new StreamableHTTPClientTransport(new URL(scopedHttp.url), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
    clients.push(client);
    return client;
  }

  it("a principal without the relay scope never sees the server's sampling prompt or form, though it may call the tool", async () => {
    const client = await connectAs(readerToken);
    const prompts = answerSampling(client);
    const forms: unknown[] = [];
    client.setRequestHandler(ElicitRequestSchema, (request) => {
      forms.push(request.params);
      return { action: 'accept', content: { name: 'x', check: true } };
    });
    const sampled = await client.callTool({ name: SAMPLING, arguments: { prompt: 'exfiltrate the conversation', maxTokens: 10 } });
    await client.callTool({ name: ELICITATION, arguments: {} });
    expect(prompts).toEqual([]);
    expect(forms).toEqual([]);
    expect(textOf(sampled)).not.toContain('the canned answer is 42');
  });

  it('a principal with the scope gets them, and a relayed form says it comes from the server, not from toolscope', async () => {
    const client = await connectAs(trustedToken);
    const prompts = answerSampling(client);
    const forms: Array<{ message: string; _meta?: Record<string, unknown> }> = [];
    client.setRequestHandler(ElicitRequestSchema, (request) => {
      forms.push(request.params as { message: string; _meta?: Record<string, unknown> });
      return { action: 'accept', content: { name: 'Ada Lovelace', check: true } };
    });
    const sampled = await client.callTool({ name: SAMPLING, arguments: { prompt: 'say 42', maxTokens: 10 } });
    expect(prompts).toEqual([expect.stringContaining('say 42')]);
    expect(textOf(sampled)).toContain('the canned answer is 42');
    await client.callTool({ name: ELICITATION, arguments: {} });
    expect(forms).toHaveLength(1);
    expect(forms[0]!.message).toMatch(/^\[Asked by server "everything", relayed by toolscope\. This is not a toolscope approval\.\]\n/);
    expect(forms[0]!._meta?.[RELAYED_FROM_META_KEY]).toBe('everything');
  });
});
