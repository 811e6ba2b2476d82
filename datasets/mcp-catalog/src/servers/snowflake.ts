// Modelled on Snowflake MCP servers (isaacwasserman/mcp-snowflake-server, Snowflake-Labs/mcp).
import { defineServer, str, tool } from '../dsl.js';

export default defineServer({
  name: 'snowflake',
  openWorld: true,
  schemaStyle: 'pydantic',
  tools: [
    tool('list_databases', 'read', 'List all databases in the Snowflake instance', {}),
    tool('list_schemas', 'read', 'List all schemas in a database', { database: str('Database name to list schemas from') }, ['database']),
    tool('list_tables', 'read', 'List all tables in a specific database and schema', { database: str('Database name'), schema: str('Schema name') }, ['database', 'schema']),
    tool('describe_table', 'read', 'Get the schema information for a specific table', { table_name: str('Fully qualified table name in the format \'database.schema.table\'') }, ['table_name']),
    tool('read_query', 'read', 'Execute a SELECT query.', { query: str('SELECT SQL query to execute') }, ['query']),
    tool('write_query', 'execute', 'Execute an INSERT, UPDATE, or DELETE query on the Snowflake database', { query: str('SQL query to execute') }, ['query']),
    tool('create_table', 'create', 'Create a new table in the Snowflake database', { query: str('CREATE TABLE SQL statement') }, ['query']),
    tool('append_insight', 'create', 'Add a data insight to the memo', { insight: str('Data insight discovered from analysis') }, ['insight']),
    tool('cortex_search', 'read', 'Search unstructured data with a Snowflake Cortex Search service', { service_name: str('Name of the Cortex Search service'), query: str('Natural-language search query'), columns: { type: 'array', items: { type: 'string' }, description: 'Columns to return' } }, ['service_name', 'query']),
  ],
});
