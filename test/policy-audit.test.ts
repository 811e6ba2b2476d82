import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { canonicalJson, sha256Hex } from '../src/catalog/canonical-json.js';
import { appendFile, mkdtemp, readFile, rename, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../src/policy/audit/audit-log.js';
import { AuditTrail } from '../src/policy/audit/audit-trail.js';
import { REDACTED, Redactor } from '../src/policy/audit/redactor.js';
import { followLines, readLastLines } from '../src/policy/audit/tail.js';
import { generateToken } from '../src/policy/auth/token.js';
import { auditStage } from '../src/pipeline/stages/audit.js';
import { CallRefused } from '../src/pipeline/refusal.js';
import type { CallStage } from '../src/pipeline/call-context.js';
import { CLI, ROOT, runCli, waitFor } from './support/toolscope-cli.js';
import { callContext, run, tool } from './support/policy.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'toolscope-audit-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const readLines = async (path: string) => (await readFile(path, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);

describe('redaction', () => {
  const dbPassword = 'hunter2-very-secret';
  const redactor = new Redactor([dbPassword, 'ab'], ['internal-[0-9]+']);

  it('masks configured secret values, key shapes and secret-named fields, and nothing else', () => {
    const token = generateToken();
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U';
    const value = {
      sql: `SELECT * FROM users WHERE password = '${dbPassword}'`,
      note: `token ${token}, github ghp_${'a'.repeat(36)}, aws AKIAIOSFODNN7EXAMPLE, openai sk-${'b'.repeat(40)}, jwt ${jwt}`,
      header: 'Authorization: Bearer abc.def-ghi',
      key: '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk\n-----END OPENSSH PRIVATE KEY-----',
      nested: [{ apiKey: 'plain-looking', clientSecret: 'x', max_tokens: 5, ticket: 'internal-42' }],
      harmless: 'the cab drove about',
    };
    const masked = redactor.redact(value) as typeof value;
    const text = JSON.stringify(masked);
    for (const secret of [dbPassword, token, 'ghp_', 'AKIAIOSFODNN7EXAMPLE', 'sk-bbbb', jwt, 'abc.def-ghi', 'b3BlbnNzaC1rZXk', 'plain-looking', 'internal-42']) {
      expect(text).not.toContain(secret);
    }
    expect(masked.nested[0]).toEqual({ apiKey: REDACTED, clientSecret: REDACTED, max_tokens: 5, ticket: REDACTED });
    // Secrets shorter than four characters are not searched for: "ab" stays in ordinary words.
    expect(masked.harmless).toBe('the cab drove about');
  });
});

describe('audit log', () => {
  it('acknowledges a record only once it is on disk, and batches concurrent records into shared fsyncs', async () => {
    const path = join(dir, 'audit.jsonl');
    const log = await AuditLog.open(path);
    await Promise.all(Array.from({ length: 500 }, (_, i) => log.append({ i })));
    const lines = await readLines(path);
    expect(lines.map((line) => line.i)).toEqual(Array.from({ length: 500 }, (_, i) => i));
    expect(log.stats.records).toBe(500);
    expect(log.stats.syncs).toBeLessThan(50);
    await log.close();
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    await expect(log.append({ late: true })).rejects.toThrow(/closed/);
  });

  it('with write durability, acknowledges a record once it is in the file and fsyncs it right after', async () => {
    const path = join(dir, 'audit.jsonl');
    const log = await AuditLog.open(path, 'write');
    await Promise.all(Array.from({ length: 100 }, (_, i) => log.append({ i })));
    expect((await readLines(path)).map((line) => line.i)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    await log.close();
    expect(log.stats.records).toBe(100);
    expect(log.stats.syncs).toBeGreaterThan(0);
  });

  it('cuts a torn last line (a crash mid-write) so the log parses cleanly, and appends after it', async () => {
    const path = join(dir, 'audit.jsonl');
    await writeFile(path, '{"a":1}\n{"b":2}\n{"c":');
    const log = await AuditLog.open(path);
    await log.append({ d: 4 });
    await log.close();
    expect(await readLines(path)).toEqual([{ a: 1 }, { b: 2 }, { d: 4 }]);
  });

  it('tails the last lines and follows new ones', async () => {
    const path = join(dir, 'audit.jsonl');
    await writeFile(path, Array.from({ length: 2000 }, (_, i) => JSON.stringify({ i, pad: 'é'.repeat(50) })).join('\n') + '\n');
    const { lines, end } = await readLastLines(path, 3);
    expect(lines.map((line) => JSON.parse(line).i)).toEqual([1997, 1998, 1999]);
    const followed: string[] = [];
    const stop = new AbortController();
    const following = followLines(path, end, (line) => followed.push(line), stop.signal, 20);
    await appendFile(path, '{"i":2000}\n{"i":20');
    await appendFile(path, '01}\n');
    await expect.poll(() => followed.length).toBe(2);
    stop.abort();
    await following;
    expect(followed).toEqual(['{"i":2000}', '{"i":2001}']);
  });

  it('follows the name across a rotation (moved away, new file) and a truncation, as tail -F does', async () => {
    const path = join(dir, 'audit.jsonl');
    await writeFile(path, '{"n":0}\n');
    const followed: string[] = [];
    const switches: string[] = [];
    const stop = new AbortController();
    const following = followLines(path, (await readLastLines(path, 0)).end, (line) => followed.push(line), stop.signal, 20, (what) => switches.push(what));
    await appendFile(path, '{"n":1}\n');
    await expect.poll(() => followed).toEqual(['{"n":1}']);
    // logrotate moves the file; the serve writes to the moved file until SIGHUP, then to a new one at the path.
    await rename(path, `${path}.1`);
    await appendFile(`${path}.1`, '{"n":2}\n');
    await expect.poll(() => followed).toEqual(['{"n":1}', '{"n":2}']);
    await writeFile(path, '{"n":3}\n');
    await expect.poll(() => followed).toEqual(['{"n":1}', '{"n":2}', '{"n":3}']);
    expect(switches).toEqual(['rotated']);
    await appendFile(`${path}.1`, '{"n":"late, to the old file"}\n');
    await appendFile(path, '{"n":4}\n');
    await expect.poll(() => followed.at(-1)).toBe('{"n":4}');
    // copytruncate: the same file, cut to nothing, then written from its start.
    await truncate(path, 0);
    await expect.poll(() => switches).toEqual(['rotated', 'truncated']);
    await appendFile(path, '{"n":5}\n');
    await expect.poll(() => followed.at(-1)).toBe('{"n":5}');
    stop.abort();
    await following;
    expect(followed).toEqual(['{"n":1}', '{"n":2}', '{"n":3}', '{"n":4}', '{"n":5}']);
  });
});

describe('audit stage', () => {
  const echo = tool('everything', { name: 'echo' });
  const secret = 'sekrit-db-password';

  async function withTrail(body: (trail: AuditTrail, path: string) => Promise<void>) {
    const path = join(dir, 'audit.jsonl');
    const trail = new AuditTrail(path, new Redactor([secret]));
    try {
      await body(trail, path);
    } finally {
      await trail.close();
    }
  }

  const refuser: CallStage = {
    name: 'scope',
    async handle(ctx) {
      ctx.decisions.push({ stage: 'scope', outcome: 'deny', reason: `no (${secret})` });
      throw new CallRefused('scope', 'denied', { rule: 'principals.x.deny[0]: read' });
    },
  };
  const failer: CallStage = {
    name: 'broken',
    async handle() {
      throw new Error(`exploded with ${secret}`);
    },
  };

  it('keeps no secret in clear on disk: numbers, arrays and objects under secret keys, plural and snake_case key names, connection-string passwords, Basic credentials', async () => {
    await withTrail(async (trail, path) => {
      const args = {
        pin: 7,
        config: {
          password: 481516,
          apiKeys: ['key-one-value', 'key-two-value'],
          access_key: 'AccessKeyValue1',
          secrets: { db: 'nested-db-secret', cache: 'nested-cache-secret' },
          credentials: { user: 'svc', pass: 'creds-object-pass' },
          client_secret: 99887766,
        },
        dsn: 'postgresql://admin:dsn-pass-123@db.internal:5432/app',
        mongo: 'mongodb+srv://root:mongo-pass-456@cluster0.example.net/test?retryWrites=true',
        headers: { 'X-Upstream': 'Basic dXNlcjpiYXNpYy1wYXNz' },
        command: 'curl -u deploy:curl-pass-789 https://example.com && export API_KEY=env-style-key-000',
        body: '{"user": "x", "password": "json-string-pass"}',
        max_tokens: 512,
        path: '/srv/public/report.txt',
      };
      await run([auditStage(trail)], callContext(echo, args, { name: 'alice' }));
      const written = await readFile(path, 'utf8');
      for (const secret of [
        '481516', 'key-one-value', 'key-two-value', 'AccessKeyValue1', 'nested-db-secret', 'nested-cache-secret',
        'creds-object-pass', '99887766', 'dsn-pass-123', 'mongo-pass-456', 'dXNlcjpiYXNpYy1wYXNz', 'curl-pass-789',
        'env-style-key-000', 'json-string-pass',
      ]) {
        expect(written, `${secret} must not be in the audit file`).not.toContain(secret);
      }
      const [record] = await readLines(path);
      // What is no secret stays readable: the approver and the auditor need to see what was done.
      expect(record!.arguments).toMatchObject({
        pin: 7,
        max_tokens: 512,
        path: '/srv/public/report.txt',
        dsn: `postgresql://admin:${REDACTED}@db.internal:5432/app`,
        config: { password: REDACTED, apiKeys: REDACTED, secrets: REDACTED, client_secret: REDACTED },
      });
    });
  });

  it('keys the digest of the arguments with the state folder\'s audit.key (0600): a guess of a masked secret cannot be tested', async () => {
    await withTrail(async (trail, path) => {
      const stage = auditStage(trail);
      const args = { user: 'ann', password: 'hunter2' };
      await run([stage], callContext(echo, args, { name: 'alice' }));
      await run([stage], callContext(echo, { ...args }, { name: 'bob' }));
      const [first, second] = await readLines(path);
      expect(first!.arguments).toEqual({ user: 'ann', password: REDACTED });
      // The same arguments, the same digest: whoever holds the key can check what was asked.
      const key = Buffer.from((await readFile(join(dir, 'audit.key'), 'utf8')).trim(), 'hex');
      expect(first!.argumentsHmac).toBe(createHmac('sha256', key).update(canonicalJson(args)).digest('hex'));
      expect(second!.argumentsHmac).toBe(first!.argumentsHmac);
      // Without it, hashing the guess "hunter2" matches nothing in the log.
      expect(JSON.stringify(first)).not.toContain(sha256Hex(canonicalJson(args)));
      expect((await stat(join(dir, 'audit.key'))).mode & 0o777).toBe(0o600);
    });
  });

  it('writes one redacted record per call for every outcome, before the caller gets the answer', async () => {
    await withTrail(async (trail, path) => {
      const stage = auditStage(trail);
      const ok = await run([stage], callContext(echo, { message: `hi ${secret}` }, { name: 'alice' }));
      expect(ok.reached).toBe(true);
      // Durable before the answer: the record is in the file as soon as the call has returned.
      expect(await readLines(path)).toHaveLength(1);

      const refused = await run([stage, refuser], callContext(echo, { message: 'x' }, { name: 'bob' }));
      expect(refused.reached).toBe(false);
      await expect(run([stage, failer], callContext(echo, {}, { name: 'carol' }))).rejects.toThrow(/exploded/);

      const records = await readLines(path);
      expect(records.map((r) => [r.principal, r.outcome])).toEqual([
        ['alice', 'ok'],
        ['bob', 'refused'],
        ['carol', 'error'],
      ]);
      expect(records[0]).toMatchObject({
        tool: 'everything__echo',
        server: 'everything',
        argumentsHmac: expect.stringMatching(/^[0-9a-f]{64}$/),
        arguments: { message: `hi ${REDACTED}` },
        latencyMs: expect.any(Number),
        time: expect.any(String),
        callId: expect.any(String),
      });
      expect(records[1]).toMatchObject({
        refusal: { stage: 'scope', reason: 'denied', rule: 'principals.x.deny[0]: read' },
        decisions: [{ stage: 'scope', outcome: 'deny', reason: `no (${REDACTED})` }],
      });
      expect(records[2]).toMatchObject({ error: `exploded with ${REDACTED}` });
      expect(await readFile(path, 'utf8')).not.toContain(secret);
    });
  });
});

describe('`toolscope audit tail`', () => {
  it('prints the last records as summaries or raw JSON, and follows new ones', async () => {
    const configPath = join(dir, 'toolscope.json');
    await writeFile(configPath, JSON.stringify({ servers: {} }));
    const path = join(dir, '.toolscope', 'audit.jsonl');
    const trail = new AuditTrail(path, new Redactor());
    const echo = tool('everything', { name: 'echo' });
    for (const principal of ['a', 'b', 'c']) await trail.recordCall(callContext(echo, {}, { name: principal }), {}, { outcome: 'ok' });

    const summary = await runCli(['--config', configPath, 'audit', 'tail', '-n', '2']);
    expect(summary.stdout.trim().split('\n')).toEqual([
      expect.stringMatching(/^\S+ {2}b {2}everything__echo {2}ok {2}\d+ms$/),
      expect.stringMatching(/^\S+ {2}c {2}everything__echo {2}ok {2}\d+ms$/),
    ]);
    const raw = await runCli(['--config', configPath, 'audit', 'tail', '-n', '1', '--json']);
    expect(JSON.parse(raw.stdout)).toMatchObject({ principal: 'c', tool: 'everything__echo' });

    const follower = followAuditTail(configPath);
    try {
      // Keep writing until the follower (which needs a moment to start) has printed one.
      await waitFor(async () => {
        await trail.recordCall(callContext(echo, {}, { name: 'late' }), {}, { outcome: 'ok' });
        return follower.output().includes('"principal":"late"');
      }, 'the followed record');
    } finally {
      follower.stop();
      await trail.close();
    }
  });

  it('filters as the console does: the last N records that match, and only matching ones when following', async () => {
    const configPath = join(dir, 'toolscope.json');
    await writeFile(configPath, JSON.stringify({ servers: {} }));
    const trail = new AuditTrail(join(dir, '.toolscope', 'audit.jsonl'), new Redactor());
    const echo = tool('everything', { name: 'echo' });
    const sum = tool('everything', { name: 'get-sum' });
    for (const [principal, target, outcome] of [['bob', echo, 'ok'], ['alice', sum, 'ok'], ['bob', sum, 'tool-error'], ['bob', echo, 'ok'], ['alice', echo, 'ok']] as const) {
      await trail.recordCall(callContext(target, {}, { name: principal }), {}, { outcome });
    }
    const bobs = await runCli(['--config', configPath, 'audit', 'tail', '-n', '2', '--principal', 'bob', '--json']);
    expect(bobs.stdout.trim().split('\n').map((line) => JSON.parse(line) as { principal: string; tool: string; outcome: string })).toMatchObject([
      { principal: 'bob', tool: 'everything__get-sum', outcome: 'tool-error' },
      { principal: 'bob', tool: 'everything__echo', outcome: 'ok' },
    ]);
    const failed = await runCli(['--config', configPath, 'audit', 'tail', '--tool', 'SUM', '--outcome', 'tool-error']);
    expect(failed.stdout.trim().split('\n')).toEqual([expect.stringMatching(/^\S+ {2}bob {2}everything__get-sum {2}tool-error {2}\d+ms$/)]);
    const wrong = await runCli(['--config', configPath, 'audit', 'tail', '--outcome', 'denied']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/--outcome: .*"ok"/);

    const follower = followAuditTail(configPath, '--principal', 'late');
    try {
      await waitFor(async () => {
        await trail.recordCall(callContext(echo, {}, { name: 'early' }), {}, { outcome: 'ok' });
        await trail.recordCall(callContext(echo, {}, { name: 'late' }), {}, { outcome: 'ok' });
        return follower.output().includes('"principal":"late"');
      }, 'the followed record');
      expect(follower.output()).not.toContain('"principal":"early"');
    } finally {
      follower.stop();
      await trail.close();
    }
  });
});

/** `toolscope audit tail -n 0 --follow --json` running in the background, with what it has printed so far. */
function followAuditTail(configPath: string, ...filters: string[]): { output: () => string; stop: () => void } {
  const follower = spawn(process.execPath, ['--import', 'tsx', CLI, '--config', configPath, 'audit', 'tail', '-n', '0', '--follow', '--json', ...filters], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  follower.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  return { output: () => out, stop: () => follower.kill('SIGTERM') };
}
