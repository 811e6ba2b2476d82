import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ElicitRequestSchema, type CallToolResult, type ElicitRequest } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateToken, hashToken } from '../src/policy/auth/token.js';
import { RunRecorder } from '../src/server/run-record.js';
import { runCli, servers, tempDir, waitFor, waitForTools } from './support/toolscope-cli.js';
import { auditRecords, httpClient, refusalOf, startHttpGateway } from './support/policy.js';

const opsToken = generateToken();
const adminToken = generateToken();

async function setup(timeoutSeconds: number) {
  const dir = await tempDir();
  const files = join(dir.path, 'files');
  await mkdir(files);
  const gateway = await startHttpGateway(dir.path, {
    servers: { filesystem: servers.filesystem(files) },
    principals: {
      ops: { allow: ['filesystem:*'], tokenHashes: [hashToken(opsToken)] },
      admin: { allow: ['read'], admin: true, tokenHashes: [hashToken(adminToken)] },
    },
    exposure: { mode: 'all' },
    approval: { timeoutSeconds, humanApprovers: ['ops'] },
  });
  return { dir, files, gateway, configPath: join(dir.path, 'toolscope.json') };
}

const write = (client: Client, path: string) =>
  client.callTool({ name: 'filesystem__write_file', arguments: { path, content: 'approved content' } }) as Promise<CallToolResult>;

const exists = (path: string) => readFile(path, 'utf8').then(() => true, () => false);

describe('destructive calls wait for a human', () => {
  let env: Awaited<ReturnType<typeof setup>>;
  const clients: Client[] = [];

  beforeAll(async () => {
    env = await setup(60);
  });
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await env?.gateway.close();
    await env?.dir.remove();
  });

  async function elicitingClient(answer: (request: ElicitRequest) => { action: 'accept' | 'decline'; content?: { approve: boolean } }) {
    const asked: ElicitRequest[] = [];
    const client = new Client({ name: 'eliciting', version: '1.0.0' }, { capabilities: { elicitation: {} } });
    client.setRequestHandler(ElicitRequestSchema, async (request) => {
      asked.push(request);
      return answer(request);
    });
    await client.connect(new StreamableHTTPClientTransport(new URL(env.gateway.url), { requestInit: { headers: { authorization: `Bearer ${opsToken}` } } }));
    clients.push(client);
    await waitForTools(client, ['filesystem__write_file']);
    return { client, asked };
  }

  it('asks a client that supports elicitation, showing the tool and its arguments', async () => {
    const { client, asked } = await elicitingClient(() => ({ action: 'accept', content: { approve: true } }));
    const target = join(env.files, 'elicited.txt');
    const result = await write(client, target);
    expect(result.isError).toBeFalsy();
    expect(await exists(target)).toBe(true);
    expect(asked).toHaveLength(1);
    const message = (asked[0]!.params as { message: string }).message;
    expect(message).toMatch(/ops wants to call write_file on server "filesystem"/);
    expect(message).toContain(target);
  });

  it('refuses when the person at the client declines', async () => {
    const { client } = await elicitingClient(() => ({ action: 'decline' }));
    const target = join(env.files, 'declined.txt');
    const result = await write(client, target);
    expect(refusalOf(result)).toMatchObject({ stage: 'approve', rule: 'approval.required[0]: destructive' });
    expect(refusalOf(result)!.reason).toMatch(/denied by client:ops \(decline\) via elicitation/);
    expect(await exists(target)).toBe(false);
  });

  it('`toolscope status` shows a call whose approval is being asked at its client, which the queue does not hold', async () => {
    let answer!: (reply: { action: 'accept'; content: { approve: boolean } }) => void;
    const answered = new Promise<{ action: 'accept'; content: { approve: boolean } }>((resolve) => (answer = resolve));
    const { client, asked } = await elicitingClient(() => answered as never);
    // What `toolscope serve` publishes for `status` in another process.
    const recorder = new RunRecorder(join(env.dir.path, '.toolscope'), env.gateway.gateway, { transport: 'http', url: env.gateway.url });
    await recorder.start();
    try {
      const call = write(client, join(env.files, 'asked.txt'));
      await waitFor(() => asked.length > 0 || undefined, 'the elicitation');
      const status = await waitFor(async () => {
        const cli = await runCli(['--config', env.configPath, 'status']);
        return /asked at the caller's client/.test(cli.stdout) ? cli.stdout : undefined;
      }, 'status to show the call');
      expect(status).toMatch(/approvals: no calls are waiting/);
      expect(status).toMatch(/approvals asked at the caller's client: 1 call waiting for the person at that client \(elicitation; not in the queue\)/);
      expect(status).toMatch(new RegExp(`${process.pid}\\s+ops\\s+filesystem__write_file\\s+\\d+ s\\s+\\d+ s`));
      answer({ action: 'accept', content: { approve: true } });
      expect((await call).isError).toBeFalsy();
      await waitFor(async () => {
        const cli = await runCli(['--config', env.configPath, 'status']);
        return /asked at the caller's client/.test(cli.stdout) ? undefined : true;
      }, 'status to drop the answered call');
    } finally {
      await recorder.stop();
    }
  });

  it('queues the call for a client without elicitation; `toolscope approvals approve` in another process releases it', async () => {
    const client = await httpClient(env.gateway.url, opsToken);
    clients.push(client);
    await waitForTools(client, ['filesystem__write_file']);
    const target = join(env.files, 'queued.txt');
    const pending = write(client, target);
    const listing = await waitFor(async () => {
      const cli = await runCli(['--config', env.configPath, 'approvals', 'list', '--json']);
      const requests = JSON.parse(cli.stdout) as Array<{ id: string; tool: string; arguments: { path: string } }>;
      return requests.find((r) => r.arguments.path === target);
    }, 'the queued request');
    expect(listing.tool).toBe('filesystem__write_file');
    expect(await exists(target)).toBe(false);
    const approved = await runCli(['--config', env.configPath, 'approvals', 'approve', listing.id]);
    expect(approved.stdout).toContain(`approved ${listing.id}`);
    expect((await pending).isError).toBeFalsy();
    expect(await exists(target)).toBe(true);
  });

  it('lets an admin principal deny over HTTP; other principals may not use the endpoint', async () => {
    const client = await httpClient(env.gateway.url, opsToken);
    clients.push(client);
    await waitForTools(client, ['filesystem__write_file']);
    const target = join(env.files, 'denied.txt');
    const pending = write(client, target);
    const endpoint = env.gateway.url.replace(/\/mcp$/, '/v1/approvals');
    const asOps = await fetch(endpoint, { headers: { authorization: `Bearer ${opsToken}` } });
    expect(asOps.status).toBe(403);
    const id = await waitFor(async () => {
      const response = await fetch(endpoint, { headers: { authorization: `Bearer ${adminToken}` } });
      const { approvals } = (await response.json()) as { approvals: Array<{ id: string; arguments: { path: string } }> };
      return approvals.find((a) => a.arguments.path === target)?.id;
    }, 'the queued request over HTTP');
    const denied = await fetch(endpoint, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id, decision: 'deny' }),
    });
    expect(denied.status).toBe(200);
    const result = await pending;
    expect(refusalOf(result)!.reason).toMatch(/denied by http:admin via queue/);
    expect(await exists(target)).toBe(false);
    const again = await fetch(endpoint, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id, decision: 'approve' }),
    });
    expect(again.status).toBe(404);
  });

  it('audits every approval decision', async () => {
    const reasons = (await auditRecords(env.dir.path))
      .filter((r) => r.tool === 'filesystem__write_file')
      .map((r) => (r.decisions as Array<{ stage: string; reason?: string }>).find((d) => d.stage === 'approve')?.reason);
    expect(reasons).toEqual([
      'approved by client:ops (accept) via elicitation',
      'denied by client:ops (decline) via elicitation',
      'approved by client:ops (accept) via elicitation',
      expect.stringMatching(/^approved by cli:\S+ via queue [0-9a-f]{10}$/),
      expect.stringMatching(/^denied by http:admin via queue [0-9a-f]{10}$/),
    ]);
    // Which token made the call, and which token the approver answered with.
    const denied = (await auditRecords(env.dir.path)).filter((r) => r.tool === 'filesystem__write_file').at(-1)!;
    expect(denied.credential).toEqual({ kind: 'token', config: 'principals.ops.tokenHashes[0]' });
    expect((denied.decisions as Array<{ stage: string }>).find((d) => d.stage === 'approve')).toMatchObject({
      credential: { kind: 'token', config: 'principals.admin.tokenHashes[0]' },
    });
  });
});

describe('an unanswered approval', () => {
  it('is denied when the timeout passes', async () => {
    const env = await setup(1);
    const client = await httpClient(env.gateway.url, opsToken);
    try {
      await waitForTools(client, ['filesystem__write_file']);
      const target = join(env.files, 'late.txt');
      const result = await write(client, target);
      expect(refusalOf(result)!.reason).toMatch(/denied by timeout via queue/);
      expect(await exists(target)).toBe(false);
      const cli = await runCli(['--config', env.configPath, 'approvals', 'list']);
      expect(cli.stdout).toContain('no calls are waiting for approval');
    } finally {
      await client.close();
      await env.gateway.close();
      await env.dir.remove();
    }
  });
});

describe('approval comes from someone other than the caller', () => {
  const botToken = generateToken();
  const reviewerToken = generateToken();
  const aliceToken = generateToken();
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let files: string;
  let gateway: Awaited<ReturnType<typeof startHttpGateway>>;
  const clients: Client[] = [];

  beforeAll(async () => {
    dir = await tempDir();
    files = join(dir.path, 'files');
    await mkdir(files);
    gateway = await startHttpGateway(dir.path, {
      servers: { filesystem: servers.filesystem(files) },
      principals: {
        // A script holding a token: even as an admin and approver it may not approve its own calls.
        bot: { allow: ['filesystem:*'], admin: true, approver: true, tokenHashes: [hashToken(botToken)] },
        reviewer: { allow: ['read'], approver: true, tokenHashes: [hashToken(reviewerToken)] },
        lead: { allow: ['read'], admin: true },
        alice: { allow: ['filesystem:*'], tokenHashes: [hashToken(aliceToken)] },
      },
      exposure: { mode: 'all' },
      approval: { timeoutSeconds: 60, humanApprovers: ['alice'] },
    });
  });
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await gateway?.close();
    await dir?.remove();
  });

  async function autoApprovingClient(token: string) {
    const asked: ElicitRequest[] = [];
    const client = new Client({ name: 'auto-approver', version: '1.0.0' }, { capabilities: { elicitation: {} } });
    client.setRequestHandler(ElicitRequestSchema, async (request) => {
      asked.push(request);
      return { action: 'accept', content: { approve: true } };
    });
    await client.connect(new StreamableHTTPClientTransport(new URL(gateway.url), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
    clients.push(client);
    await waitForTools(client, ['filesystem__write_file']);
    return { client, asked };
  }

  const answer = (token: string, id: string, decision: 'approve' | 'deny') =>
    fetch(gateway.url.replace(/\/mcp$/, '/v1/approvals'), {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id, decision }),
    });

  it('a script cannot approve its own call: its client is not asked, its token cannot answer; another approver can, and the audit names them', async () => {
    const { client, asked } = await autoApprovingClient(botToken);
    const target = join(files, 'bot.txt');
    const pending = write(client, target);
    const id = await waitFor(async () => {
      const response = await fetch(gateway.url.replace(/\/mcp$/, '/v1/approvals'), { headers: { authorization: `Bearer ${reviewerToken}` } });
      const { approvals } = (await response.json()) as { approvals: Array<{ id: string; principal: string }> };
      return approvals.find((a) => a.principal === 'bot')?.id;
    }, 'the queued call of bot');
    expect(asked).toHaveLength(0);
    expect(await exists(target)).toBe(false);
    const own = await answer(botToken, id, 'approve');
    expect(own.status).toBe(403);
    expect(await own.text()).toMatch(/is for a call bot made; bot may not answer it/);
    // Nor with an approver's token it minted in the console, or one minted in turn by an admin's token it minted.
    const mint = async (token: string, principal: string) => {
      const response = await fetch(gateway.url.replace(/\/mcp$/, '/console/api/tokens'), {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'x-toolscope-console': '1' },
        body: JSON.stringify({ principal }),
      });
      expect(response.status).toBe(200);
      return ((await response.json()) as { token: string }).token;
    };
    const minted = await mint(botToken, 'reviewer');
    const mintedByMinted = await mint(await mint(botToken, 'lead'), 'reviewer');
    for (const token of [minted, mintedByMinted]) {
      const laundered = await answer(token, id, 'approve');
      expect(laundered.status).toBe(403);
      expect(await laundered.text()).toMatch(/is for a call bot made; reviewer with a token bot minted may not answer it/);
    }
    expect(await exists(target)).toBe(false);
    expect((await answer(reviewerToken, id, 'approve')).status).toBe(200);
    expect((await pending).isError).toBeFalsy();
    expect(await exists(target)).toBe(true);
    const record = (await auditRecords(dir.path)).find((r) => (r.arguments as { path?: string } | undefined)?.path === target)!;
    expect(record.principal).toBe('bot');
    expect((record.decisions as Array<{ stage: string; reason?: string }>).find((d) => d.stage === 'approve')?.reason).toMatch(
      /^approved by http:reviewer via queue [0-9a-f]{10}$/,
    );
  });

  it('a human approver\'s client is asked with every argument in full (no path hidden after padding, secret-looking values shown); the audit keeps them masked', async () => {
    const { client, asked } = await autoApprovingClient(aliceToken);
    const target = join(files, 'padded.txt');
    const content = `${' '.repeat(6000)}password=hunter2-live-credential`;
    const result = (await client.callTool({ name: 'filesystem__write_file', arguments: { content, path: target } })) as CallToolResult;
    expect(result.isError).toBeFalsy();
    expect(asked).toHaveLength(1);
    const message = (asked[0]!.params as { message: string }).message;
    expect(message).toContain(target);
    expect(message).toContain('password=hunter2-live-credential');
    expect(message.indexOf(target)).toBeLessThan(message.indexOf('password='));
    const text = await readFile(join(dir.path, '.toolscope', 'audit.jsonl'), 'utf8');
    expect(text).not.toContain('hunter2-live-credential');
    const record = (await auditRecords(dir.path)).find((r) => (r.arguments as { path?: string } | undefined)?.path === target)!;
    expect((record.decisions as Array<{ stage: string; reason?: string }>).find((d) => d.stage === 'approve')?.reason).toBe(
      'approved by client:alice (accept) via elicitation',
    );
  });
});

describe('approvals while the config file holds an edit a running serve refused', () => {
  let bad: Awaited<ReturnType<typeof setup>>;
  let client: Client | undefined;
  beforeAll(async () => {
    bad = await setup(60);
  });
  afterAll(async () => {
    await client?.close();
    await bad?.gateway.close();
    await bad?.dir.remove();
  });

  it('can still be answered from the CLI while the config file holds an edit a running serve would refuse', async () => {
    client = await httpClient(bad.gateway.url, opsToken);
    await waitForTools(client, ['filesystem__write_file']);
    const valid = await readFile(bad.configPath, 'utf8');
    const config = JSON.parse(valid) as { principals: Record<string, Record<string, unknown>> };
    const { allow, ...rest } = config.principals.ops!;
    config.principals.ops = { ...rest, alow: allow };
    await writeFile(bad.configPath, JSON.stringify(config, null, 2));
    try {
      const target = join(bad.files, 'during-bad-edit.txt');
      const pending = write(client!, target);
      const listing = await waitFor(async () => {
        const cli = await runCli(['--config', bad.configPath, 'approvals', 'list', '--json']);
        return (JSON.parse(cli.stdout) as Array<{ id: string; arguments: { path: string } }>).find((r) => r.arguments.path === target);
      }, 'the queued request');
      const approved = await runCli(['--config', bad.configPath, 'approvals', 'approve', listing.id]);
      expect(approved.code).toBe(0);
      expect(approved.stdout).toContain(`approved ${listing.id}`);
      expect(approved.stderr).toContain(`warning: ${bad.configPath} is not a valid config (1 problem(s); \`toolscope status\` lists them)`);
      expect((await pending).isError).toBeFalsy();
      expect(await exists(target)).toBe(true);
      const audit = await runCli(['--config', bad.configPath, 'audit', 'tail', '-n', '5']);
      expect(audit.code).toBe(0);
      expect(audit.stdout).toContain('filesystem__write_file');
      // What needs the policy itself is still refused, naming the problem.
      const token = await runCli(['--config', bad.configPath, 'token', 'create', 'ops']);
      expect(token.code).toBe(1);
      expect(token.stderr).toContain('principals.ops: unknown key "alow" (did you mean "allow"?)');
    } finally {
      await writeFile(bad.configPath, valid);
    }
  });
});
