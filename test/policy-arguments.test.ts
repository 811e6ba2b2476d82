import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArgumentRules } from '../src/policy/rules/argument-rules.js';
import { checkPathUnder } from '../src/policy/rules/path-rule.js';
import { SchemaValidator } from '../src/policy/rules/schema-validator.js';
import { sqlReadOnlyViolation } from '../src/policy/rules/sql-read-only.js';
import { argumentCheck, validateStage } from '../src/pipeline/stages/validate.js';
import { resourceTarget } from '../src/surface/targets.js';
import { callContext, policyConfig, refusalOf, run, tool } from './support/policy.js';

const writeFile = tool('filesystem', {
  name: 'write_file',
  inputSchema: {
    type: 'object',
    properties: { path: { type: 'string' }, content: { type: 'string' } },
    required: ['path', 'content'],
    additionalProperties: false,
  },
});
const query = tool('postgres', { name: 'query', inputSchema: { type: 'object', properties: { sql: { type: 'string' } } } });

describe('inputSchema validation', () => {
  const validator = new SchemaValidator();

  it('lists every violation', () => {
    expect(validator.violations(writeFile, { path: '/a', content: 'b' })).toEqual([]);
    const violations = validator.violations(writeFile, { path: 42, extra: true });
    expect(violations).toEqual(
      expect.arrayContaining([
        "(arguments): must have required property 'content'",
        '(arguments): must NOT have additional properties (extra)',
        '/path: must be string',
      ]),
    );
  });

  it('understands 2020-12 schemas and formats, and refuses a schema that cannot compile', () => {
    const modern = tool('x', {
      name: 'mail',
      inputSchema: {
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        type: 'object',
        properties: { to: { type: 'string', format: 'email' }, tags: { type: 'array', prefixItems: [{ type: 'string' }] } },
      },
    });
    expect(validator.violations(modern, { to: 'bob@example.com', tags: ['a'] })).toEqual([]);
    expect(validator.violations(modern, { to: 'not an address', tags: [1] })).toEqual([
      '/to: must match format "email"',
      '/tags/0: must be string',
    ]);
    const broken = tool('x', { name: 'broken', inputSchema: { type: 'object', properties: { a: { type: 'no-such-type' } } } });
    expect(validator.violations(broken, {})[0]).toMatch(/inputSchema cannot be used/);
  });
});

describe('path rule', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'toolscope-paths-'));
    await mkdir(join(root, 'public'));
    await symlink('/etc', join(root, 'public', 'escape'));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('keeps paths under the root after normalisation and forwards the normalised path', async () => {
    expect(await checkPathUnder('/srv/public/a/./b//c.txt', ['/srv/public/'], false)).toEqual({ path: '/srv/public/a/b/c.txt' });
    expect(await checkPathUnder('/srv/public', ['/srv/public'], false)).toEqual({ path: '/srv/public' });
  });

  it('refuses ../ escapes, prefix look-alikes, relative and ~ paths, NUL bytes and non-strings', async () => {
    const roots = ['/srv/public'];
    expect(await checkPathUnder('/srv/public/../secret/key', roots, false)).toMatchObject({ violation: expect.stringMatching(/outside/) });
    expect(await checkPathUnder('/srv/public/../../etc/shadow', roots, false)).toMatchObject({ violation: expect.stringMatching(/\/etc\/shadow/) });
    expect(await checkPathUnder('/srv/public-not/x', roots, false)).toMatchObject({ violation: expect.any(String) });
    expect(await checkPathUnder('public/x', roots, false)).toMatchObject({ violation: expect.stringMatching(/absolute/) });
    expect(await checkPathUnder('~/x', roots, false)).toMatchObject({ violation: expect.stringMatching(/absolute/) });
    expect(await checkPathUnder('/srv/public/a\0b', roots, false)).toEqual({ violation: 'contains a NUL byte' });
    expect(await checkPathUnder(7, roots, false)).toEqual({ violation: 'must be a path string' });
  });

  it('sees through symlinks only when asked to', async () => {
    const viaLink = join(root, 'public', 'escape', 'hostname');
    expect(await checkPathUnder(viaLink, [join(root, 'public')], false)).toEqual({ path: viaLink });
    expect(await checkPathUnder(viaLink, [join(root, 'public')], true)).toMatchObject({ violation: expect.stringMatching(/symlink to \/etc\/hostname/) });
    // A file that does not exist yet under a real folder is fine.
    expect(await checkPathUnder(join(root, 'public', 'new', 'file.txt'), [join(root, 'public')], true)).toMatchObject({ path: expect.any(String) });
  });
});

describe('sqlReadOnly', () => {
  it.each([
    'SELECT 1',
    'select * from users where id = $1',
    "WITH t AS (SELECT 1 AS x) SELECT x FROM t",
    'VALUES (1), (2)',
    'TABLE users',
    "SELECT count(*) FROM orders o JOIN users u ON u.id = o.user_id WHERE u.name ILIKE '%drop table%'",
  ])('admits %s', async (sql) => {
    expect(await sqlReadOnlyViolation(sql)).toBeUndefined();
  });

  it.each([
    ['DROP TABLE users', /found DropStmt/],
    ['SELECT 1; DELETE FROM users', /exactly one statement, found 2/],
    ['COMMIT; DROP TABLE users', /exactly one statement/],
    ['DELETE FROM users', /found DeleteStmt/],
    ['SELECT * INTO copy FROM users', /INTO/],
    ['SELECT * FROM users FOR UPDATE', /FOR UPDATE/],
    ['WITH gone AS (DELETE FROM users RETURNING *) SELECT * FROM gone', /DeleteStmt/],
    ["SELECT nextval('users_id_seq')", /nextval/],
    ["SELECT pg_catalog.set_config('role', 'admin', false)", /set_config/],
    ["SELECT query_to_xml('DELETE FROM users', true, true, '')", /query_to_xml/],
    ['EXPLAIN ANALYZE DELETE FROM users', /found ExplainStmt/],
    ['SELEC 1', /does not parse/],
    ['', /empty/i],
    [' ; ', /found 0/],
  ])('refuses %s', async (sql, reason) => {
    expect(await sqlReadOnlyViolation(sql)).toMatch(reason);
  });
});

describe('argument rules and the validate stage', () => {
  const config = policyConfig({
    argumentRules: {
      'filesystem:*': { path: { pathUnder: '/srv/public' }, paths: { pathUnder: '/srv/public' } },
      'filesystem:write_file': { content: { maxLength: 10 } },
      'postgres:query': { sql: { sqlReadOnly: true } },
      'mail:send': {
        from: { fixed: 'robot@example.com' },
        to: { pattern: '^[^@]+@example\\.com$' },
        priority: { allowed: ['low', 'normal'] },
      },
    },
  }).argumentRules;
  const rules = new ArgumentRules(config);
  const stage = validateStage(argumentCheck(new SchemaValidator(), rules));

  it('forwards conforming calls with paths normalised', async () => {
    const ctx = callContext(writeFile, { path: '/srv/public/./notes.txt', content: 'hi' });
    const { reached } = await run([stage], ctx);
    expect(reached).toBe(true);
    expect(ctx.arguments).toEqual({ path: '/srv/public/notes.txt', content: 'hi' });
  });

  it('refuses a ../ escape and a too long value before the terminal, listing both with their rules', async () => {
    const ctx = callContext(writeFile, { path: '/srv/public/../../etc/passwd', content: 'x'.repeat(11) });
    const { result, reached } = await run([stage], ctx);
    expect(reached).toBe(false);
    const refusal = refusalOf(result)!;
    expect(refusal.stage).toBe('validate');
    expect(refusal.rule).toBe('argumentRules["filesystem:*"].path.pathUnder');
    expect(refusal.reason).toMatch(/path: .*outside \/srv\/public/);
    expect(refusal.reason).toMatch(/content: is 11 characters long, more than 10 \(argumentRules\["filesystem:write_file"\]\.content\.maxLength\)/);
  });

  it('checks each element of an array argument', async () => {
    const readMany = tool('filesystem', { name: 'read_multiple_files', inputSchema: { type: 'object', properties: { paths: { type: 'array' } } } });
    const ok = callContext(readMany, { paths: ['/srv/public/a', '/srv/public/b/../c'] });
    expect((await run([stage], ok)).reached).toBe(true);
    expect(ok.arguments.paths).toEqual(['/srv/public/a', '/srv/public/c']);
    const bad = await run([stage], callContext(readMany, { paths: ['/srv/public/a', '/srv/public/../x'] }));
    expect(bad.reached).toBe(false);
  });

  it("holds a file: resource read to the path rules of its server's glob, and lets other schemes pass", async () => {
    const readAt = (uri: string) => run([stage], callContext(resourceTarget('filesystem', 'filesystem', uri)));
    expect((await readAt('file:///srv/public/notes.txt')).reached).toBe(true);
    expect((await readAt('demo://resource/static/1')).reached).toBe(true);
    for (const uri of ['file:///etc/passwd', 'file:///srv/public/%2E%2E/secret/s.txt']) {
      const refused = await readAt(uri);
      expect(refused.reached).toBe(false);
      expect(refusalOf(refused.result)).toMatchObject({ stage: 'validate', rule: 'argumentRules["filesystem:*"].path.pathUnder' });
      expect(refusalOf(refused.result)!.reason).toMatch(/^invalid arguments: the resource's file path: .*outside \/srv\/public/);
    }
    expect(refusalOf((await readAt('file://elsewhere.example/etc/passwd')).result)!.reason).toMatch(/file:\/\/elsewhere.example\/etc\/passwd is no local file URI/);
  });

  it('inserts fixed values and enforces patterns and allowed values', async () => {
    const send = tool('mail', { name: 'send', inputSchema: { type: 'object', properties: { to: { type: 'string' } } } });
    const ctx = callContext(send, { from: 'ceo@example.com', to: 'bob@example.com', priority: 'low' });
    expect((await run([stage], ctx)).reached).toBe(true);
    expect(ctx.arguments.from).toBe('robot@example.com');

    const bad = await run([stage], callContext(send, { to: 'eve@evil.test', priority: 'urgent' }));
    expect(bad.reached).toBe(false);
    expect(refusalOf(bad.result)!.reason).toMatch(/to: "eve@evil.test" does not match/);
    expect(refusalOf(bad.result)!.reason).toMatch(/priority: "urgent" is not one of \["low","normal"\]/);
  });

  it('refuses a write hidden in SQL and passes a plain SELECT', async () => {
    expect((await run([stage], callContext(query, { sql: 'SELECT 1' }))).reached).toBe(true);
    const refused = await run([stage], callContext(query, { sql: 'SELECT 1; DELETE FROM t' }));
    expect(refused.reached).toBe(false);
    expect(refusalOf(refused.result)).toMatchObject({ rule: 'argumentRules["postgres:query"].sql.sqlReadOnly' });
  });

  it('reports schema violations with rule "inputSchema"', async () => {
    const { result, reached } = await run([stage], callContext(writeFile, { path: '/srv/public/a' }));
    expect(reached).toBe(false);
    expect(refusalOf(result)).toMatchObject({ rule: 'inputSchema', reason: expect.stringMatching(/required property 'content'/) });
  });

  it('rejects bad rules at config load', () => {
    expect(() => policyConfig({ argumentRules: { 'fs:x': { p: { pattern: '(' } } } })).toThrow(/valid regular expression/);
    expect(() => policyConfig({ argumentRules: { 'fs:x': { p: { pathUnder: 'relative/root' } } } })).toThrow(/absolute path/);
    expect(() => policyConfig({ argumentRules: { 'fs:x': { p: { resolveSymlinks: true } } } })).toThrow(/together with pathUnder/);
  });
});
