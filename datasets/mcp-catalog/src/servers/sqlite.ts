// Modelled on the reference mcp-server-sqlite (Python): read_query / write_query / create_table / list_tables / describe_table / append_insight.
import { defineServer, str, tool } from '../dsl.js';

export default defineServer({
  name: 'sqlite',
  openWorld: false,
  schemaStyle: 'plain',
  tools: [
    tool('read_query', 'read', 'Execute a SELECT query on the SQLite database', { query: str('SELECT SQL query to execute') }, ['query']),
    tool('write_query', 'execute', 'Execute an INSERT, UPDATE, or DELETE query on the SQLite database', { query: str('SQL query to execute') }, ['query']),
    tool('create_table', 'create', 'Create a new table in the SQLite database', { query: str('CREATE TABLE SQL statement') }, ['query']),
    tool('list_tables', 'read', 'List all tables in the SQLite database', {}),
    tool('describe_table', 'read', 'Get the schema information for a specific table', { table_name: str('Name of the table to describe') }, ['table_name']),
    tool('append_insight', 'create', 'Add a business insight to the memo', { insight: str('Business insight discovered from data analysis') }, ['insight']),
    tool('export_query_csv', 'read', 'Run a SELECT query and return the result as CSV text', { query: str('SELECT SQL query to execute'), header: { type: 'boolean', default: true, description: 'Include a header row' } }, ['query']),
  ],
});
