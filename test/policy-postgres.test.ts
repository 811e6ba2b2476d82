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
    expect(log).not.toMatch(/DROP TABLE|DELETE FROM accounts/);
  });
});
