import { readFile } from 'node:fs/promises';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateToken, hashToken } from '../src/policy/auth/token.js';
import { ROOT, tempDir, textOf, waitForTools } from './support/toolscope-cli.js';
import { httpClient, refusalOf, startHttpGateway } from './support/policy.js';
import { postgresBin, startCluster, type Cluster } from './support/postgres.js';

const bin = postgresBin();
const token = generateToken();
if (!bin) console.warn('policy-postgres: SKIPPED, no PostgreSQL under /usr/lib/postgresql (apt-get install postgresql; .ci/run does)');

describe.skipIf(!bin)('sqlReadOnly in front of a real PostgreSQL behind @modelcontextprotocol/server-postgres', () => {
  let cluster: Cluster;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let gateway: Awaited<ReturnType<typeof startHttpGateway>>;
  let client: Client;
  let db: pg.Client;

  beforeAll(async () => {
    cluster = await startCluster(bin!);
    db = new pg.Client({ host: cluster.socketDir, user: 'postgres', database: 'postgres' });
    await db.connect();
    await db.query("CREATE TABLE accounts (id int PRIMARY KEY, owner text); INSERT INTO accounts VALUES (1, 'alice'), (2, 'bob')");
    dir = await tempDir();
    gateway = await startHttpGateway(dir.path, {
      servers: {
        postgres: { command: process.execPath, args: [`${ROOT}node_modules/@modelcontextprotocol/server-postgres/dist/index.js`, cluster.url] },
      },
      principals: { analyst: { allow: ['postgres:query'], tokenHashes: [hashToken(token)] } },
      argumentRules: { 'postgres:query': { sql: { sqlReadOnly: true } } },
      exposure: { mode: 'all' },
    });
    client = await httpClient(gateway.url, token);
    await waitForTools(client, ['postgres__query']);
  });

  afterAll(async () => {
    await client?.close();
    await gateway?.close();
    await db?.end();
    await cluster?.stop();
    await dir?.remove();
  });

  const query = (sql: string) => client.callTool({ name: 'postgres__query', arguments: { sql } }) as Promise<CallToolResult>;

  it('passes a SELECT through to the database', async () => {
    const result = await query('SELECT owner FROM accounts ORDER BY id');
    expect(result.isError).toBeFalsy();
    expect(JSON.parse(textOf(result))).toEqual([{ owner: 'alice' }, { owner: 'bob' }]);
  });

  it.each([
    ['DROP TABLE accounts', /must be a SELECT, found DropStmt/],
    ['SELECT 1; DELETE FROM accounts', /exactly one statement, found 2/],
    // The classic escape from server-postgres' own READ ONLY transaction.
    ['COMMIT; DROP TABLE accounts', /exactly one statement, found 2/],
    ['WITH gone AS (DELETE FROM accounts RETURNING *) SELECT * FROM gone', /DeleteStmt/],
    // Built-ins that write, lock, wait or disturb the server from inside a SELECT (see the last test for what they do).
    ["SELECT lowrite(lo_open(lo_create(0), 131072), 'pwned')", /calls lowrite\(\), which writes, removes or exports large objects/],
    ['SELECT pg_advisory_lock(42)', /calls pg_advisory_lock\(\), which takes or releases an advisory lock/],
    ['SELECT (42::bigint).pg_advisory_lock', /calls pg_advisory_lock\(\) in field notation/],
    ['SELECT pg_stat_reset()', /calls pg_stat_reset\(\), which resets statistics/],
    ['SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid()', /calls pg_terminate_backend\(\)/],
    ['SELECT pg_sleep(30)', /calls pg_sleep\(\), which sleeps/],
  ])('refuses %s at the validate stage', async (sql, reason) => {
    const result = await query(sql);
    expect(result.isError).toBe(true);
    expect(refusalOf(result)).toMatchObject({ stage: 'validate', rule: 'argumentRules["postgres:query"].sql.sqlReadOnly' });
    expect(refusalOf(result)!.reason).toMatch(reason);
  });

  it('left the table intact, and the refused statements never reached the server', async () => {
    const { rows } = await db.query('SELECT count(*)::int AS n FROM accounts');
    expect(rows).toEqual([{ n: 2 }]);
    const log = await readFile(cluster.logFile, 'utf8');
    expect(log).toContain('SELECT owner FROM accounts ORDER BY id');
    expect(log).not.toMatch(/DROP TABLE|DELETE FROM accounts|lowrite|pg_advisory_lock|pg_stat_reset|pg_terminate_backend|pg_sleep/);
  });

  // Runs after the log check above: these statements go to the database directly, past toolscope.
  it("shows why those built-ins are refused: they act even inside server-postgres' READ ONLY transaction", async () => {
    const connect = async () => {
      const client = new pg.Client({ host: cluster.socketDir, user: 'postgres', database: 'postgres' });
      client.on('error', () => undefined);
      await client.connect();
      return client;
    };
    // As server-postgres runs a query: BEGIN TRANSACTION READ ONLY, the query, ROLLBACK, on a pooled connection.
    const asServerPostgres = async (client: pg.Client, sql: string) => {
      await client.query('BEGIN TRANSACTION READ ONLY');
      await client.query(sql);
      await client.query('ROLLBACK');
    };
    const pooled = await connect();
    // A session advisory lock outlives the ROLLBACK: the pooled connection keeps it, and everyone else waits.
    await asServerPostgres(pooled, 'SELECT pg_advisory_lock(42)');
    expect((await db.query('SELECT pg_try_advisory_lock(42) AS got')).rows).toEqual([{ got: false }]);
    // Statistics are reset for good.
    const resetAt = async () => (await db.query("SELECT stats_reset FROM pg_stat_database WHERE datname = 'postgres'")).rows[0].stats_reset;
    const before = await resetAt();
    await asServerPostgres(pooled, 'SELECT pg_stat_reset()');
    expect(await resetAt()).not.toEqual(before);
    // Another session is terminated.
    const victim = await connect();
    const { pid } = (await victim.query('SELECT pg_backend_pid() AS pid')).rows[0];
    await asServerPostgres(pooled, `SELECT pg_terminate_backend(${pid})`);
    await expect(victim.query('SELECT 1')).rejects.toThrow();
    await pooled.end();
    await victim.end().catch(() => undefined);
  });
});
