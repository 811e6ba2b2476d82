// Modelled on MySQL MCP servers (designcomputer/mysql_mcp_server, benborla/mcp-server-mysql).
import { defineServer, str, tool } from '../dsl.js';

export default defineServer({
  name: 'mysql',
  openWorld: false,
  schemaStyle: 'plain',
  tools: [
    tool('mysql_query', 'read', 'Run a read-only SQL query (SELECT, SHOW, DESCRIBE, EXPLAIN) against the MySQL database', { sql: str('The SQL query to execute') }, ['sql']),
    tool('execute_sql', 'execute', 'Execute an SQL statement on the MySQL server, including INSERT, UPDATE, DELETE and DDL', { query: str('The SQL query to execute') }, ['query']),
    tool('list_databases', 'read', 'List the databases (schemas) on the MySQL server', {}),
    tool('list_tables', 'read', 'List the tables in a MySQL database', { database: str('Database name (defaults to the connection database)') }),
    tool('describe_table', 'read', 'Show the columns, types, keys and defaults of a MySQL table', { table: str('Table name'), database: str('Database name') }, ['table']),
    tool('show_indexes', 'read', 'Show the indexes defined on a MySQL table', { table: str('Table name') }, ['table']),
    tool('show_processlist', 'read', 'Show the currently running MySQL threads and their queries, to spot long-running or locked queries', {}),
    tool('explain_query', 'read', 'Show the MySQL execution plan for a query (EXPLAIN FORMAT=JSON)', { sql: str('The query to explain') }, ['sql']),
  ],
});
