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
    "WITH recent AS (SELECT * FROM orders WHERE created_at > now() - interval '1 day') SELECT lower(u.name), count(*) FROM recent r LEFT JOIN users u ON u.id = r.user_id GROUP BY 1 ORDER BY 2 DESC LIMIT 10",
    'SELECT now(), current_user, lower(name), upper(name), length(name), coalesce(email, \'-\') FROM users',
    'SELECT u.id, (SELECT max(o.total) FROM orders o WHERE o.user_id = u.id) FROM users u WHERE EXISTS (SELECT 1 FROM orders)',
    'SELECT * FROM generate_series(1, 3) AS g(n)',
    "SELECT currval('users_id_seq'), lastval(), txid_current_if_assigned()",
    'SELECT lo_get(16400), pg_size_pretty(pg_total_relation_size(\'users\'))',
    'SELECT pid, state FROM pg_stat_activity',
    // Field selection that is no function call: a composite column, and names that only start like refused ones.
    'SELECT (u.address).city, u.sleep_until, u.nextval_at FROM users u',
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
    ["SELECT * FROM ts_stat('SELECT nextval(''users_id_seq'')::text::tsvector')", /calls ts_stat\(\), which runs SQL text of its own/],
    ['EXPLAIN ANALYZE DELETE FROM users', /found ExplainStmt/],
    ['SELEC 1', /does not parse/],
    ['', /empty/i],
    [' ; ', /found 0/],
  ])('refuses %s', async (sql, reason) => {
    expect(await sqlReadOnlyViolation(sql)).toMatch(reason);
  });

  // The security review's bypasses: built-ins that write, lock, wait or disturb the server from inside a SELECT.
  it.each([
    ["SELECT lowrite(lo_open(16400, 131072), 'pwned')", 'lowrite', /writes, removes or exports large objects/],
    ["SELECT lo_import('/etc/passwd')", 'lo_import', /large objects/],
    ["SELECT lo_export(16400, '/tmp/x')", 'lo_export', /large objects/],
    ['SELECT lo_unlink(16400)', 'lo_unlink', /large objects/],
    ['SELECT lo_create(0)', 'lo_create', /large objects/],
    ["SELECT lo_put(16400, 0, '\\x00')", 'lo_put', /large objects/],
    ['SELECT lo_truncate(lo_open(16400, 131072), 0)', 'lo_truncate', /large objects/],
    ["SELECT lo_from_bytea(0, 'x')", 'lo_from_bytea', /large objects/],
    ['SELECT pg_advisory_lock(1)', 'pg_advisory_lock', /takes or releases an advisory lock/],
    ['SELECT pg_advisory_lock_shared(1)', 'pg_advisory_lock_shared', /advisory lock/],
    ['SELECT pg_advisory_xact_lock(1, 2)', 'pg_advisory_xact_lock', /advisory lock/],
    ['SELECT pg_try_advisory_lock(1)', 'pg_try_advisory_lock', /advisory lock/],
    ['SELECT pg_try_advisory_xact_lock_shared(1)', 'pg_try_advisory_xact_lock_shared', /advisory lock/],
    ['SELECT pg_stat_reset()', 'pg_stat_reset', /resets statistics/],
    ["SELECT pg_stat_reset_shared('bgwriter')", 'pg_stat_reset_shared', /resets statistics/],
    ["SELECT * FROM pg_logical_slot_get_changes('slot', NULL, NULL)", 'pg_logical_slot_get_changes', /consumes a replication slot/],
    ["SELECT pg_replication_origin_create('o')", 'pg_replication_origin_create', /replication origin/],
    ["SELECT pg_replication_origin_session_setup('o')", 'pg_replication_origin_session_setup', /replication origin/],
    ["SELECT pg_backup_start('label')", 'pg_backup_start', /backup/],
    ['SELECT * FROM pg_backup_stop()', 'pg_backup_stop', /backup/],
    ['SELECT pg_sleep(3600)', 'pg_sleep', /sleeps/],
    ["SELECT pg_sleep_for('1 hour')", 'pg_sleep_for', /sleeps/],
    ["SELECT set_config('default_transaction_read_only', 'off', false)", 'set_config', /changes a setting/],
    ['SELECT pg_terminate_backend(pid) FROM pg_stat_activity', 'pg_terminate_backend', /signals the server or another session/],
    ['SELECT pg_cancel_backend(42)', 'pg_cancel_backend', /signals/],
    ['SELECT pg_reload_conf()', 'pg_reload_conf', /signals/],
    ['SELECT pg_rotate_logfile()', 'pg_rotate_logfile', /signals/],
    ["SELECT dblink_exec('dbname=postgres', 'DROP TABLE users')", 'dblink_exec', /runs SQL on another connection/],
    ["SELECT * FROM dblink('dbname=postgres', 'DELETE FROM users RETURNING id') AS t(id int)", 'dblink', /another connection/],
    ["SELECT setval('users_id_seq', 1)", 'setval', /sequence/],
    ['SELECT txid_current()', 'txid_current', /assigns a transaction id/],
    ['SELECT pg_current_xact_id()', 'pg_current_xact_id', /assigns a transaction id/],
    ["SELECT pg_notify('channel', 'payload')", 'pg_notify', /sends a notification/],
    ["SELECT * FROM crosstab('SELECT 1, 2, nextval(''s'')') AS t(a int, b int)", 'crosstab', /SQL text of its own/],
    ["SELECT brin_summarize_new_values('orders_brin')", 'brin_summarize_new_values', /indexes/],
  ])('refuses %s, naming %s', async (sql, name, does) => {
    const problem = await sqlReadOnlyViolation(sql);
    expect(problem).toMatch(new RegExp(`^calls ${name}\\(\\), which `));
    expect(problem).toMatch(does);
  });

  it.each([
    ['hidden in a sub-query', 'SELECT * FROM users WHERE id IN (SELECT pg_advisory_lock(id) FROM users)', 'pg_advisory_lock'],
    ['hidden in a CTE', 'WITH x AS (SELECT pg_sleep(10)) SELECT * FROM x', 'pg_sleep'],
    ['in FROM', 'SELECT * FROM pg_sleep(10)', 'pg_sleep'],
    ['in ROWS FROM', "SELECT * FROM ROWS FROM (nextval('s'))", 'nextval'],
    ['schema-qualified', 'SELECT pg_catalog.pg_terminate_backend(1)', 'pg_terminate_backend'],
    ['in capitals', 'SELECT PG_ADVISORY_LOCK(1)', 'pg_advisory_lock'],
    ['in a unicode-escaped name', 'SELECT U&"pg_slee\\0070"(10)', 'pg_sleep'],
    ['inside another call', 'SELECT coalesce(NULL, pg_advisory_lock(1)::text)', 'pg_advisory_lock'],
  ])('refuses a refused function %s', async (_, sql, name) => {
    expect(await sqlReadOnlyViolation(sql)).toMatch(new RegExp(`calls ${name}\\(\\)`));
  });

  // PostgreSQL reads (x).f as f(x) when f is no field of x: a call without parentheses (checked against PostgreSQL 15).
  it.each([
    ["SELECT ('users_id_seq'::regclass).nextval", 'nextval'],
    ['SELECT (0.5).pg_sleep', 'pg_sleep'],
    ['SELECT (42::bigint).pg_advisory_lock', 'pg_advisory_lock'],
    ['SELECT (q.pid).pg_terminate_backend FROM pg_stat_activity q', 'pg_terminate_backend'],
    ['SELECT q.r.nextval FROM q', 'nextval'],
  ])('refuses field notation %s', async (sql, name) => {
    expect(await sqlReadOnlyViolation(sql)).toMatch(new RegExp(`^calls ${name}\\(\\) in field notation \\(\\.${name}\\), which `));
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
        cc: { pattern: '[a-z]+@example\\.com' },
        kind: { pattern: 'note|memo' },
        priority: { allowed: ['low', 'normal'] },
      },
      'jobs:submit': { spec: { maxLength: 40 } },
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

  it('matches a pattern against the whole value, not somewhere in it', async () => {
    const send = tool('mail', { name: 'send', inputSchema: { type: 'object', properties: { cc: {}, kind: {} } } });
    for (const args of [{ cc: 'bob@example.com' }, { cc: ['bob@example.com', 'alice@example.com'] }, { kind: 'memo' }]) {
      expect((await run([stage], callContext(send, args))).reached).toBe(true);
    }
    for (const [name, value] of [
      ['cc', 'attacker@evil.com,bob@example.com'],
      ['cc', 'bob@example.com.evil.net'],
      ['cc', 'bob@example.com\n'],
      ['cc', ' bob@example.com'],
      ['kind', 'notes'],
      ['kind', 'a memo'],
    ] as const) {
      const refused = await run([stage], callContext(send, { [name]: value }));
      expect(refused.reached).toBe(false);
      expect(refusalOf(refused.result)).toMatchObject({ rule: `argumentRules["mail:send"].${name}.pattern` });
      expect(refusalOf(refused.result)!.reason).toContain(`${name}: ${JSON.stringify(value)} does not match /${name === 'cc' ? '[a-z]+@example\\.com' : 'note|memo'}/ (the whole value)`);
    }
  });

  it('measures maxLength of an object, number or nested value by its JSON text', async () => {
    const submit = tool('jobs', { name: 'submit', inputSchema: { type: 'object', properties: { spec: {} } } });
    for (const spec of ['x'.repeat(40), { name: 'nightly', retries: 3 }, 12345, ['x'.repeat(40), { a: 1 }]]) {
      expect((await run([stage], callContext(submit, { spec }))).reached).toBe(true);
    }
    const hidden = { name: 'nightly', options: { script: 'x'.repeat(100) } };
    const refused = await run([stage], callContext(submit, { spec: hidden }));
    expect(refused.reached).toBe(false);
    expect(refusalOf(refused.result)).toMatchObject({ rule: 'argumentRules["jobs:submit"].spec.maxLength' });
    expect(refusalOf(refused.result)!.reason).toContain(`spec: is ${JSON.stringify(hidden).length} characters long as JSON, more than 40`);
    const inArray = await run([stage], callContext(submit, { spec: ['ok', { script: 'x'.repeat(50) }] }));
    expect(refusalOf(inArray.result)!.reason).toMatch(/spec: is 63 characters long as JSON, more than 40/);
    const tooLongString = await run([stage], callContext(submit, { spec: 'é'.repeat(41) }));
    expect(refusalOf(tooLongString.result)!.reason).toMatch(/spec: is 41 characters long, more than 40 \(/);
  });

  it('refuses a write hidden in SQL and passes a plain SELECT', async () => {
    expect((await run([stage], callContext(query, { sql: 'SELECT 1' }))).reached).toBe(true);
    const refused = await run([stage], callContext(query, { sql: 'SELECT 1; DELETE FROM t' }));
    expect(refused.reached).toBe(false);
    expect(refusalOf(refused.result)).toMatchObject({ rule: 'argumentRules["postgres:query"].sql.sqlReadOnly' });
    const locking = await run([stage], callContext(query, { sql: 'SELECT pg_advisory_lock(1)' }));
    expect(refusalOf(locking.result)).toMatchObject({
      rule: 'argumentRules["postgres:query"].sql.sqlReadOnly',
      reason: expect.stringContaining('sql: not a single read-only statement: calls pg_advisory_lock(), which takes or releases an advisory lock'),
    });
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
