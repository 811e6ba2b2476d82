import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ResourceListChangedNotificationSchema, ToolListChangedNotificationSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRunRecords } from '../src/server/run-record.js';
import { readAuditFile } from './support/audit-file.js';
import { newBearerToken, tokenHash } from './support/bearer.js';
import { connectHttpClient, serveHttpProcess, type HttpServeProcess } from './support/serve-process.js';
import { servers, tempDir, textOf, waitFor, writeConfig } from './support/toolscope-cli.js';

/** Policy edits while `toolscope serve --http` runs: a real process, real tokens, the real server-everything. */

const tokens = { alice: newBearerToken(), bob: newBearerToken(), carol: newBearerToken() };
const principal = (name: keyof typeof tokens, allow: string[]) => ({ allow, tokenHashes: [tokenHash(tokens[name])] });
const startConfig = {
  stateDir: 'state',
  exposure: { mode: 'all' },
  servers: { everything: servers.everything() },
  principals: {
    alice: principal('alice', ['everything:echo', 'everything:get-sum']),
    bob: principal('bob', ['everything:echo']),
  },
  // Nearly no refill while the test runs: what is left in bob's bucket is what he did not use.
  rateLimits: { principals: { bob: { principal: { capacity: 3, refillPerSecond: 0.001 } } } },
};
type Config = typeof startConfig & Record<string, unknown>;

let dir: Awaited<ReturnType<typeof tempDir>>;
let configPath: string;
let serve: HttpServeProcess;
const clients: Client[] = [];
let config: Config = structuredClone(startConfig);

beforeAll(async () => {
  dir = await tempDir();
  configPath = await writeConfig(dir.path, startConfig);
  serve = await serveHttpProcess(configPath, { logLevel: 'info' });
}, 60_000);

afterAll(async () => {
  await Promise.all(clients.map((client) => client.close().catch(() => undefined)));
  await serve?.stop();
  await dir?.remove();
});

const stateDir = () => join(dir.path, 'state');
const reload = async () => (await readRunRecords(stateDir()))[0]?.status.reload;

/** Writes `next` as the config file and waits until serve has recorded what it made of it. */
async function edit(next: Config, outcome: 'applied' | 'refused' = 'applied') {
  const before = (await reload())?.at;
  await writeFile(configPath, JSON.stringify(next, null, 2));
  const done = await waitFor(async () => {
    const current = await reload();
    return current && current.at !== before ? current : undefined;
  }, 'the edit recorded');
  expect(done.outcome).toBe(outcome);
  if (outcome === 'applied') config = next;
  return done;
}

async function connect(name: keyof typeof tokens) {
  const client = await connectHttpClient(serve.url, tokens[name], `live-policy-${name}`);
  clients.push(client);
  let listChanged = 0;
  let resourcesChanged = 0;
  client.setNotificationHandler(ToolListChangedNotificationSchema, () => void listChanged++);
  client.setNotificationHandler(ResourceListChangedNotificationSchema, () => void resourcesChanged++);
  return {
    client,
    listChanged: () => listChanged,
    resourcesChanged: () => resourcesChanged,
    listed: async () => (await client.listTools()).tools.map((tool) => tool.name),
  };
}

const echo = (client: Client, message: string) => client.callTool({ name: 'everything__echo', arguments: { message } }) as Promise<CallToolResult>;
const sum = (client: Client) => client.callTool({ name: 'everything__get-sum', arguments: { a: 2, b: 3 } }) as Promise<CallToolResult>;

describe('live policy: edits of the policy sections apply to the next call, without a restart', () => {
  it('refuses a revoked grant at the scope stage at the next call, audits it, and shrinks only that principal\'s list with list_changed', async () => {
    const alice = await connect('alice');
    const bob = await connect('bob');
    await waitFor(async () => ((await alice.listed()).includes('everything__get-sum') ? true : undefined), "alice's tools");
    expect(await alice.listed()).toEqual(['everything__echo', 'everything__get-sum']);
    expect(await bob.listed()).toEqual(['everything__echo']);
    const granted = await sum(alice.client);
    expect(granted.isError).toBeFalsy();
    expect(textOf(granted)).toContain('5');
    const bobNotices = bob.listChanged();
    const aliceNotices = alice.listChanged();
    const resourceNotices = alice.resourcesChanged();

    const revoked = structuredClone(config);
    revoked.principals.alice.allow = ['everything:echo'];
    expect(await edit(revoked)).toMatchObject({ applied: ['principals'], needsRestart: [] });

    const refused = await sum(alice.client);
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toMatch(/refused this call at the scope stage: no allow rule of alice matches everything:get-sum/);
    const audit = await waitFor(async () => {
      const { records } = await readAuditFile(join(stateDir(), 'audit.jsonl'));
      return records.find((record) => record.tool === 'everything__get-sum' && record.outcome === 'refused');
    }, 'the refused call audited');
    expect(audit).toMatchObject({ principal: 'alice', refusal: { stage: 'scope', rule: 'principals.alice.allow' } });
    // The grant left untouched still works.
    expect(textOf(await echo(alice.client, 'still granted'))).toContain('still granted');

    // alice's sessions are told, and list only what she may call now; bob's view did not change, so he hears nothing.
    await waitFor(async () => (alice.listChanged() > aliceNotices ? true : undefined), 'list_changed for alice');
    expect(await alice.listed()).toEqual(['everything__echo']);
    expect(bob.listChanged()).toBe(bobNotices);
    // Resources and prompts are listed per principal too: every session is told to list them again.
    await waitFor(async () => (alice.resourcesChanged() > resourceNotices ? true : undefined), 'resources list_changed');
    expect(serve.alive()).toBe(true);
  });

  it('applies a lowered rate limit at the next call, and a raised one without refilling the bucket', async () => {
    const bob = await connect('bob');
    const rateLimited = /refused this call at the rate-limit stage: rate limit reached for bob .*rateLimits\.principals\.bob\.principal/;
    const resized = async (capacity: number) => {
      const next = structuredClone(config);
      next.rateLimits.principals.bob.principal = { capacity, refillPerSecond: 0.001 };
      expect(await edit(next)).toMatchObject({ applied: ['rateLimits'] });
    };

    // bob has not called yet: 3 tokens, cut to 1 by the edit.
    await resized(1);
    expect((await echo(bob.client, 'one')).isError).toBeFalsy();
    expect(textOf(await echo(bob.client, 'two'))).toMatch(rateLimited);
    // A raised capacity does not hand out what was used: bob stays limited (a bucket reset to full would let him on).
    await resized(5);
    expect(textOf(await echo(bob.client, 'three'))).toMatch(rateLimited);
  });

  it('lets a principal and token added live connect, and refuses an edit naming a principal that exists nowhere', async () => {
    await expect(connectHttpClient(serve.url, tokens.carol)).rejects.toThrow(/401|unknown or revoked token/);

    const added = structuredClone(config) as Config & { principals: Record<string, unknown> };
    added.principals.carol = principal('carol', ['everything:echo']);
    expect(await edit(added)).toMatchObject({ applied: ['principals'] });
    const carol = await connect('carol');
    expect(textOf(await echo(carol.client, 'new here'))).toContain('new here');

    const ghost = structuredClone(config) as Config;
    (ghost.rateLimits.principals as Record<string, unknown>).ghost = { principal: { capacity: 1, refillPerSecond: 1 } };
    ghost.principals.alice.allow = ['everything:*'];
    const refused = await edit(ghost, 'refused');
    expect(refused.error).toContain('rateLimits.principals.ghost: names no principal');
    expect(serve.stderr()).toContain('config edit refused; still running the previous config');
    // Nothing of the refused edit applies: alice's wider grant included.
    const alice = await connect('alice');
    expect((await sum(alice.client)).isError).toBe(true);
    expect(textOf(await echo(carol.client, 'still on'))).toContain('still on');
  });

  it('finishes a call already under way under the policy it started with; the next call is refused', async () => {
    const LONG_RUNNING = 'everything__trigger-long-running-operation';
    const granted = structuredClone(config) as Config & { principals: Record<string, { allow: string[] }> };
    granted.principals.carol!.allow = ['everything:echo', 'everything:trigger-long-running-operation'];
    await edit(granted);
    const carol = await connect('carol');
    const inFlight = carol.client.callTool({ name: LONG_RUNNING, arguments: { duration: 3, steps: 3 } }) as Promise<CallToolResult>;
    // Past the scope stage (the server holds it) before the grant goes.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const revoked = structuredClone(granted);
    revoked.principals.carol!.allow = ['everything:echo'];
    await edit(revoked);

    const finished = await inFlight;
    expect(finished.isError, textOf(finished)).toBeFalsy();
    expect(textOf(finished)).toMatch(/completed/i);
    // Audited as answered, under the grant it was checked against.
    const audited = await waitFor(async () => {
      const { records } = await readAuditFile(join(stateDir(), 'audit.jsonl'));
      return records.find((record) => record.tool === LONG_RUNNING && record.outcome === 'ok');
    }, 'the finished call audited');
    expect(audited.decisions).toContainEqual({
      stage: 'scope',
      outcome: 'pass',
      reason: 'principals.carol.allow[1]: everything:trigger-long-running-operation',
    });
    const next = await carol.client.callTool({ name: LONG_RUNNING, arguments: { duration: 1, steps: 1 } });
    expect(textOf(next)).toMatch(/refused this call at the scope stage: no allow rule of carol matches everything:trigger-long-running-operation/);
  });

  it('switches open sessions to an edited exposure mode with list_changed, and counts edited session limits from the next session', async () => {
    const alice = await connect('alice');
    expect(await alice.listed()).toEqual(['everything__echo']);
    const notices = alice.listChanged();

    const searching = structuredClone(config) as Config;
    (searching as Record<string, unknown>).exposure = { mode: 'search' };
    (searching as Record<string, unknown>).limits = { maxSessionsPerPrincipal: 1, maxMessageBytes: 1024 * 1024 };
    expect(await edit(searching)).toMatchObject({
      applied: ['exposure', 'limits.maxSessionsPerPrincipal'],
      // What a downstream server may send is set when it starts.
      needsRestart: ['limits.maxMessageBytes'],
    });
    await waitFor(async () => (alice.listChanged() > notices ? true : undefined), 'list_changed after the exposure edit');
    expect(await alice.listed()).toEqual(['search_tools', 'call_tool']);
    // alice holds sessions already: a new one is past the edited limit.
    await expect(connectHttpClient(serve.url, tokens.alice)).rejects.toThrow(/too many sessions of principal alice \(limits\.maxSessionsPerPrincipal is 1\)/);
  });
});
