import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Principals } from '../src/policy/auth/principals.js';
import { issueToken, listTokens } from '../src/policy/auth/token-grants.js';
import { generateToken, hashToken } from '../src/policy/auth/token.js';
import { FileTokenStore } from '../src/state/file/file-token-store.js';
import { networkGuard } from '../src/server/http.js';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { auditFilterSchema, queryAudit } from '../src/policy/audit/audit-query.js';
import { runCli, servers, tempDir, waitForTools } from './support/toolscope-cli.js';
import { auditRecords, httpClient, policyConfig, startHttpGateway } from './support/policy.js';

const TOKEN_SHAPE = /^tsk_[A-Za-z0-9_-]{43}$/;

let stateDir: string;
beforeEach(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'toolscope-auth-'));
});
afterEach(() => rm(stateDir, { recursive: true, force: true }));

describe('bearer tokens', () => {
  it('are random, prefixed and stored only as sha-256 hashes', async () => {
    const a = generateToken();
    expect(a).toMatch(TOKEN_SHAPE);
    expect(a).not.toBe(generateToken());
    expect(hashToken(a)).toMatch(/^sha256:[0-9a-f]{64}$/);

    const store = new FileTokenStore(stateDir);
    const { token } = await store.create('ci', { allow: ['read'], deny: [] });
    const file = await readFile(store.path, 'utf8');
    expect(file).not.toContain(token);
    expect(file).toContain(hashToken(token));
    expect((await stat(store.path)).mode & 0o777).toBe(0o600);
  });

  it('resolve to their principal, from the config or the state folder; a wrong token resolves to nobody', async () => {
    const configured = generateToken();
    const config = policyConfig({ principals: { admin: { allow: ['*:*'], tokenHashes: [hashToken(configured)] } } });
    const store = new FileTokenStore(stateDir);
    await store.refresh();
    const principals = new Principals(config.principals, store);
    expect((await principals.authenticate(configured))?.name).toBe('admin');
    expect(await principals.authenticate(`${configured}x`)).toBeUndefined();
    expect(await principals.authenticate('')).toBeUndefined();

    // Another process (the CLI) creates a token while this one runs: picked up without a restart.
    const { token } = await new FileTokenStore(stateDir).create('ci', { allow: ['read'], deny: [] });
    expect((await principals.authenticate(token))?.name).toBe('ci');
    expect(principals.get('ci')).toMatchObject({ allow: ['read'], source: 'state tokens.json principals.ci' });
  });

  it('stop working once revoked, and a token for a principal that no longer exists resolves to nobody', async () => {
    const store = new FileTokenStore(stateDir);
    const { token, id } = await store.create('ci', { allow: ['read'], deny: [] });
    const orphan = await store.create('gone');
    const principals = new Principals({}, store);
    expect((await principals.authenticate(token))?.name).toBe('ci');
    expect(await principals.authenticate(orphan.token)).toBeUndefined();
    // The refusal says why: not "unknown" for a token toolscope knows, whose principal has gone.
    expect(principals.refusalReason(orphan.token)).toBe(
      'the token\'s principal "gone" no longer exists (removed from the config?); revoke it with `toolscope token revoke`',
    );
    expect(principals.refusalReason(generateToken())).toBe('unknown or revoked token');
    expect(await new FileTokenStore(stateDir).revoke(id)).toBe(true);
    expect(await principals.authenticate(token)).toBeUndefined();
    expect(await store.revoke('00000000')).toBe(false);
  });

  it('rejects malformed token hashes in the config', () => {
    expect(() => policyConfig({ principals: { p: { tokenHashes: ['abc'] } } })).toThrow(/sha256:/);
  });
});

describe('granting tokens (`toolscope token create`, the console)', () => {
  const fields = { allow: '--scopes', deny: '--deny' };
  const grant = (store: FileTokenStore, principal: string, rules: { allow?: string[]; deny?: string[] } = {}, principals = {}) =>
    issueToken(store, { principal, ...rules }, { path: 'toolscope.json', principals, servers: {} }, fields);

  it("adds a principal's next token under the rules it has, and refuses other rules while it holds tokens", async () => {
    const store = new FileTokenStore(stateDir);
    const first = await grant(store, 'newbie', { allow: ['read'], deny: ['fs:*'] });
    const second = await grant(store, 'newbie');
    await grant(store, 'newbie', { allow: ['read'], deny: ['fs:*'] });
    expect(store.current.principals.newbie).toEqual({ allow: ['read'], deny: ['fs:*'] });

    await expect(grant(store, 'newbie', { allow: ['write'] })).rejects.toThrow(
      '"newbie" holds 3 token(s) with the scopes read !fs:*; --scopes/--deny would change what every one of them may do: ' +
        'leave them out to add a token with the same scopes, or revoke its tokens first',
    );
    await expect(grant(store, 'newbie', { deny: [] })).rejects.toThrow(/would change what every one of them may do/);
    // Nothing changed for the tokens already out.
    const principals = new Principals({}, store);
    expect((await principals.authenticate(first.token))?.name).toBe('newbie');
    expect(principals.get('newbie')).toMatchObject({ allow: ['read'], deny: ['fs:*'] });

    for (const { id } of store.current.tokens) await store.revoke(id);
    await grant(store, 'newbie', { allow: ['write'] });
    expect(store.current.principals.newbie).toEqual({ allow: ['write'], deny: [] });
    expect(await principals.authenticate(second.token)).toBeUndefined();
  });

  it('lists the rules that apply: a config principal of the same name wins over the token store', async () => {
    const store = new FileTokenStore(stateDir);
    await grant(store, 'newbie', { allow: ['read'], deny: ['fs:*'] });
    const configured = { newbie: policyConfig({ principals: { newbie: { allow: ['everything:echo'] } } }).principals.newbie! };
    expect((await listTokens(store, {})).map((t) => t.scopes)).toEqual(['read !fs:*']);
    expect((await listTokens(store, configured)).map((t) => t.scopes)).toEqual([
      '(config principals.newbie; the token store\'s "read !fs:*" is not used)',
    ]);
  });
});

describe('tokens from `toolscope token` against a running gateway', () => {
  it('turns authentication on with the first token, accepts it at once and refuses it once revoked', async () => {
    const dir = await tempDir();
    const gateway = await startHttpGateway(dir.path, { servers: {} });
    const configPath = join(dir.path, 'toolscope.json');
    const initialize = (token?: string) =>
      fetch(gateway.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          ...(token && { authorization: `Bearer ${token}` }),
        },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } } }),
      });
    try {
      // No principal anywhere: open (loopback) mode; a network-bound endpoint would serve nobody.
      expect((await initialize()).status).toBe(200);
      const request = {} as IncomingMessage;
      await expect(networkGuard(gateway.gateway)(request, '/mcp')).rejects.toThrow(/no principals exist/);

      const created = await runCli(['--config', configPath, 'token', 'create', 'ci', '--scopes', 'read']);
      expect(created.code).toBe(0);
      const token = created.stdout.trim();
      expect(token).toMatch(TOKEN_SHAPE);
      expect(created.stderr).toMatch(/keeps only its hash/);
      const missing = await initialize();
      expect(missing.status).toBe(401);
      expect(((await missing.json()) as { error: { message: string } }).error.message).toBe('unauthorized: a bearer token is required');
      // The token alone, without its scheme: the answer says how the header is written.
      const bare = await fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: token }, body: '{}' });
      expect(bare.status).toBe(401);
      expect(((await bare.json()) as { error: { message: string } }).error.message).toBe('unauthorized: the Authorization header must be "Bearer <token>"');
      expect((await initialize(token)).status).toBe(200);
      await expect(networkGuard(gateway.gateway)(request, '/mcp')).resolves.toBeUndefined();

      const list = await runCli(['--config', configPath, 'token', 'list']);
      const id = /^([0-9a-f]{8})\s+ci\s/m.exec(list.stdout)?.[1];
      expect(list.stdout).not.toContain(token);
      expect((await runCli(['--config', configPath, 'token', 'revoke', id!])).code).toBe(0);
      expect((await initialize(token)).status).toBe(401);

      const refused = await runCli(['--config', configPath, 'token', 'create', 'nobody']);
      expect(refused.stderr).toMatch(/not a principal .* give its scopes with --scopes/);
    } finally {
      await gateway.close();
      await dir.remove();
    }
  });
});

describe('which credential made a call', () => {
  it('the audit log names the token of each call (the id `token list` shows, or where the config holds its hash), never the token or its hash; `audit tail` and the console filter show it', async () => {
    const dir = await tempDir();
    const opsToken = generateToken();
    const gateway = await startHttpGateway(dir.path, {
      servers: { everything: servers.everything() },
      exposure: { mode: 'all' },
      principals: { ops: { allow: ['everything:*'], tokenHashes: [hashToken(generateToken()), hashToken(opsToken)] } },
    });
    const configPath = join(dir.path, 'toolscope.json');
    const clients: Client[] = [];
    try {
      // bob holds two tokens: two people, or two agents, sharing one principal.
      const bobTokens = [];
      for (let i = 0; i < 2; i++) bobTokens.push((await runCli(['--config', configPath, 'token', 'create', 'bob', '--scopes', 'everything:*'])).stdout.trim());
      const list = (await runCli(['--config', configPath, 'token', 'list'])).stdout;
      const bobIds = [...list.matchAll(/^([0-9a-f]{8})\s+bob\s/gm)].map((match) => match[1]!);
      expect(bobIds).toHaveLength(2);

      for (const [token, message] of [[bobTokens[0]!, 'first'], [bobTokens[1]!, 'second'], [opsToken, 'ops']] as const) {
        const client = await httpClient(gateway.url, token);
        clients.push(client);
        await waitForTools(client, ['everything__echo']);
        await client.callTool({ name: 'everything__echo', arguments: { message } });
      }

      const records = (await auditRecords(dir.path)).filter((record) => record.tool === 'everything__echo');
      expect(records.map((record) => [record.principal, (record.arguments as { message: string }).message, record.credential])).toEqual([
        ['bob', 'first', { kind: 'token', id: bobIds[0] }],
        ['bob', 'second', { kind: 'token', id: bobIds[1] }],
        ['ops', 'ops', { kind: 'token', config: 'principals.ops.tokenHashes[1]' }],
      ]);
      const log = await readFile(join(dir.path, '.toolscope', 'audit.jsonl'), 'utf8');
      for (const token of [...bobTokens, opsToken]) {
        expect(log).not.toContain(token);
        expect(log).not.toContain(hashToken(token).slice('sha256:'.length));
      }

      const tail = (await runCli(['--config', configPath, 'audit', 'tail', '-n', '3'])).stdout;
      expect(tail).toContain(`bob [token ${bobIds[1]}]  everything__echo  ok`);
      expect(tail).toContain('ops [token principals.ops.tokenHashes[1]]  everything__echo  ok');
      const filtered = await queryAudit(join(dir.path, '.toolscope', 'audit.jsonl'), auditFilterSchema.parse({ credential: bobIds[0] }));
      expect(filtered.records.map((record) => (record.arguments as { message: string }).message)).toEqual(['first']);
    } finally {
      await Promise.all(clients.map((client) => client.close()));
      await gateway.close();
      await dir.remove();
    }
  }, 60_000);
});
