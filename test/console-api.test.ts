import { appendFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConsole } from '../console-ui/build.js';
import { auditFilterSchema, queryAudit } from '../src/policy/audit/audit-query.js';
import { generateToken, hashToken } from '../src/policy/auth/token.js';
import { servers, tempDir } from './support/toolscope-cli.js';
import { startHttpGateway } from './support/policy.js';

const CONSOLE = { 'x-toolscope-console': '1' };

describe('console API: who may use it (open mode, loopback)', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let gateway: Awaited<ReturnType<typeof startHttpGateway>>;
  let base: string;

  beforeAll(async () => {
    await buildConsole();
    dir = await tempDir();
    gateway = await startHttpGateway(dir.path, { servers: { memory: servers.memory() }, retrieval: { retriever: 'bm25' } });
    base = gateway.url.replace(/\/mcp$/, '');
  });
  afterAll(async () => {
    await gateway?.close();
    await dir?.remove();
  });

  const answer = { id: '0123456789', decision: 'approve' };
  const post = (headers: Record<string, string>) =>
    fetch(`${base}/console/api/approvals`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(answer) });

  it('serves every local caller as the local principal, as /mcp does', async () => {
    const res = await fetch(`${base}/console/api/session`, { headers: CONSOLE });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ user: 'local', open: true, principals: ['local'], audit: true });
  });

  it('refuses requests a page of another site could make (CSRF): no console header, or an Origin not its own', async () => {
    const noHeader = await post({});
    expect(noHeader.status).toBe(403);
    expect(((await noHeader.json()) as { error: { message: string } }).error.message).toMatch(/carry the x-toolscope-console header/);

    // Another port of localhost passes the DNS-rebinding check, not this one.
    const otherPort = await post({ ...CONSOLE, origin: 'http://127.0.0.1:1' });
    expect(otherPort.status).toBe(403);
    expect(((await otherPort.json()) as { error: { message: string } }).error.message).toMatch(/Origin "http:\/\/127\.0\.0\.1:1" is not this server's own/);
    expect((await post({ ...CONSOLE, origin: 'https://evil.example' })).status).toBe(403);

    // The page's own request gets through to the queue, which knows no such call.
    const own = await post({ ...CONSOLE, origin: base });
    expect(own.status).toBe(404);
    expect(((await own.json()) as { error: { message: string } }).error.message).toBe('no waiting call with id 0123456789');
  });

  it('serves the page with a policy that runs only its own files, never framed or cached', async () => {
    const redirect = await fetch(`${base}/console`, { redirect: 'manual' });
    expect(redirect.status).toBe(308);
    expect(redirect.headers.get('location')).toBe('/console/');
    const page = await fetch(`${base}/console/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(await page.text()).toMatch(/<script type="module" src="app.js"><\/script>/);
    const bundle = await fetch(`${base}/console/app.js`);
    expect(bundle.headers.get('content-type')).toMatch(/^text\/javascript/);
    // Everything is in the bundle: it loads nothing from elsewhere.
    expect(await bundle.text()).not.toMatch(/https?:\/\/(?!localhost)[a-z0-9.-]+\.[a-z]{2,}\/[^"'\s]*\.(js|css)/i);
    const api = await fetch(`${base}/console/api/servers`, { headers: CONSOLE });
    expect(api.headers.get('cache-control')).toBe('no-store');
  });

  it('refuses an audit query with a misspelt filter, naming the one meant, instead of answering every record', async () => {
    const res = await fetch(`${base}/console/api/audit?princpal=nobody`, { headers: CONSOLE });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toBe(
      'invalid audit filter: unknown key "princpal" (did you mean "principal"?)',
    );
  });
});

describe('console API with principals', () => {
  const adminToken = generateToken();
  const readerToken = generateToken();
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let gateway: Awaited<ReturnType<typeof startHttpGateway>>;
  let base: string;

  beforeAll(async () => {
    dir = await tempDir();
    gateway = await startHttpGateway(dir.path, {
      servers: { memory: servers.memory() },
      principals: {
        admin: { allow: ['*:*'], admin: true, tokenHashes: [hashToken(adminToken)] },
        reader: { allow: ['read'], tokenHashes: [hashToken(readerToken)] },
      },
      retrieval: { retriever: 'bm25' },
    });
    base = gateway.url.replace(/\/mcp$/, '');
  });
  afterAll(async () => {
    await gateway?.close();
    await dir?.remove();
  });

  const call = (path: string, token?: string, body?: unknown) =>
    fetch(`${base}/console/api/${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { ...CONSOLE, ...(token && { authorization: `Bearer ${token}` }), ...(body !== undefined && { 'content-type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
  const message = async (res: Response) => ((await res.json()) as { error: { message: string } }).error.message;

  it('needs an admin principal’s bearer token: 401 without one, 403 for another principal', async () => {
    const missing = await call('servers');
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="toolscope"');
    expect(await message(missing)).toBe('unauthorized: a bearer token is required');
    const reader = await call('tokens', readerToken);
    expect(reader.status).toBe(403);
    expect(await message(reader)).toBe('forbidden: principal reader is not an admin');
    const admin = await call('session', adminToken);
    expect(await admin.json()).toEqual({ user: 'admin', open: false, principals: ['admin', 'reader'], audit: true });
    // The page and bundle hold no data: they load without a token; the sign-in form asks for one.
    expect((await fetch(`${base}/console/`)).status).toBe(200);
  });

  it('searches only as a principal that exists, and names what is wrong with a request', async () => {
    const unknown = await call('search', adminToken, { query: 'remember', principal: 'nobody' });
    expect(unknown.status).toBe(400);
    expect(await message(unknown)).toBe('unknown principal "nobody"');
    const tooLong = await call('search', adminToken, { query: 'x'.repeat(2001), principal: 'reader' });
    expect(await message(tooLong)).toMatch(/query: `query` must be at most 2000 characters/);
    const listing = (await (await call('search', adminToken, { query: '', principal: 'reader' })).json()) as { matches: Array<{ score: null; classes: string[] }> };
    expect(listing.matches.length).toBeGreaterThan(0);
    expect(listing.matches.every((m) => m.score === null && m.classes.includes('read'))).toBe(true);
  });

  it('issues tokens through the same checks as `toolscope token create`, and says what to change', async () => {
    const badRule = await call('tokens', adminToken, { principal: 'bot', allow: ['reads'] });
    expect(badRule.status).toBe(400);
    expect(await message(badRule)).toBe('"allow" reads: must be a capability class (read, write, destructive, open-world) or a server:tool glob');
    const configRules = await call('tokens', adminToken, { principal: 'reader', allow: ['read'] });
    expect(await message(configRules)).toMatch(/^reader's scopes are set in .*toolscope\.json \(principals\.reader\); leave out "allow"\/"deny"$/);
    const noRules = await call('tokens', adminToken, { principal: 'bot' });
    expect(await message(noRules)).toMatch(/"bot" is not a principal in .*; give its scopes with "allow"/);
    const mistyped = await call('tokens', adminToken, { principal: 'bot', allow: ['read', 'memroy:*'] });
    expect(mistyped.status).toBe(200);
    expect(((await mistyped.json()) as { warnings: string[] }).warnings).toEqual([
      '"allow": "memroy:*" names no server in "servers" (did you mean "memory"?); it applies to nothing until one is added',
    ]);
    const unknownRevoke = await call('tokens/revoke', adminToken, { id: 'ffffffff' });
    expect(unknownRevoke.status).toBe(404);
    expect(await message(unknownRevoke)).toBe('no token with id ffffffff');
  });

  it('streams the approval queue as it changes, from the first event on', async () => {
    const stream = new AbortController();
    const res = await fetch(`${base}/console/api/events`, { headers: { ...CONSOLE, authorization: `Bearer ${adminToken}` }, signal: stream.signal });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    const next = async (pattern: RegExp) => {
      while (!pattern.test(text)) text += (await reader.read()).value ?? '';
    };
    await next(/event: servers\ndata: \{.*"servers":\[/);
    await next(/event: approvals\ndata: \[\]\n\n/);
    const queued = await gateway.gateway.policy.approvalQueue.submit({
      callId: 'call-1',
      principal: 'reader',
      tool: 'memory__delete_entities',
      server: 'memory',
      arguments: { entityNames: ['x'] },
      rule: 'approval.required[0]: destructive',
      requestedAt: new Date().toISOString(),
      expiresAt: new Date(Date.now() + 60_000).toISOString(),
    });
    await next(new RegExp(`event: approvals\\ndata: \\[\\{"id":"${queued.id}"`));
    stream.abort();
  });
});

describe('audit queries', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let log: string;
  const record = (time: string, fields: Record<string, unknown>) => JSON.stringify({ time, ...fields });

  beforeAll(async () => {
    dir = await tempDir();
    log = join(dir.path, 'audit.jsonl');
    await writeFile(
      log,
      [
        record('2026-12-01T10:00:00.000Z', { principal: 'ops', tool: 'filesystem__write_file', server: 'filesystem', outcome: 'ok' }),
        record('2026-12-01T10:00:01.000Z', { principal: 'reader', tool: 'filesystem__write_file', server: 'filesystem', outcome: 'refused' }),
        'not json: skipped',
        record('2026-12-01T10:00:02.000Z', { event: 'tool-quarantined', tool: 'notes__summarize_notes' }),
        record('2026-12-01T10:00:03.000Z', { principal: 'ops', tool: 'memory__read_graph', server: 'memory', outcome: 'tool-error' }),
        record('2026-12-01T10:00:04.000Z', { event: 'console-action', principal: 'admin', action: 'approve-tool', tool: 'weather__get_weather' }),
      ].join('\n') + '\n',
    );
    // A record still being written: no newline yet, not a record.
    await appendFile(log, '{"time":"2026-12-01T10:00:05.000Z","principal":"ops"');
  });
  afterAll(async () => {
    await dir?.remove();
  });

  const query = (filter: Record<string, unknown>) => queryAudit(log, auditFilterSchema.parse(filter));
  const times = async (filter: Record<string, unknown>) => (await query(filter)).records.map((r) => String(r.time).slice(17, 19));

  it('reads newest first and filters by principal, tool (any case), server, outcome and time', async () => {
    expect(await times({})).toEqual(['04', '03', '02', '01', '00']);
    expect(await times({ principal: 'ops' })).toEqual(['03', '00']);
    expect(await times({ tool: 'WRITE_file' })).toEqual(['01', '00']);
    expect(await times({ server: 'memory' })).toEqual(['03']);
    expect(await times({ outcome: 'refused' })).toEqual(['01']);
    expect(await times({ outcome: 'event' })).toEqual(['04', '02']);
    expect(await times({ since: '2026-12-01T10:00:02Z', until: '2026-12-01T10:00:03Z' })).toEqual(['03', '02']);
    expect(await times({ limit: '2' })).toEqual(['04', '03']);
    expect(await query({})).toMatchObject({ scanned: 6, complete: true });
  });

  it('stops at its line cap and says the answer is not complete', async () => {
    const capped = await queryAudit(log, auditFilterSchema.parse({ principal: 'reader' }), 3);
    expect(capped).toEqual({ records: [], scanned: 3, complete: false });
    expect((await queryAudit(log, auditFilterSchema.parse({ principal: 'admin' }), 3)).records).toHaveLength(1);
  });

  it('names a bad filter, and answers an absent log with no records', async () => {
    const bad = auditFilterSchema.safeParse({ since: 'yesterday', outcome: 'maybe' });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues.map((i) => i.path.join('.'))).toEqual(['outcome', 'since']);
    expect(bad.error!.issues.find((i) => i.path[0] === 'since')?.message).toMatch(/must be a date and time/);
    const misspelt = auditFilterSchema.safeParse({ princpal: 'nobody' });
    expect(misspelt.error!.issues.map((i) => i.message)).toEqual(['unknown key "princpal" (did you mean "principal"?)']);
    expect(await queryAudit(join(dir.path, 'absent.jsonl'), auditFilterSchema.parse({}))).toEqual({ records: [], scanned: 0, complete: true });
  });
});
