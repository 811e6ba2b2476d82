// Modelled on crystaldba/postgres-mcp ("Postgres MCP Pro", Python): schema browsing, tuning and health checks.
import { defineServer, int, list, oneOf, str, tool } from '../dsl.js';

export default defineServer({
  name: 'postgres-pro',
  openWorld: false,
  schemaStyle: 'pydantic',
  tools: [
    tool('list_schemas', 'read', 'List all schemas in the database', {}),
    tool('list_objects', 'read', 'List objects in a schema', { schema_name: str('Schema name'), object_type: oneOf(['table', 'view', 'sequence', 'extension'], 'Object type: \'table\', \'view\', \'sequence\', or \'extension\'', { default: 'table' }) }, ['schema_name']),
    tool('get_object_details', 'read', 'Show detailed information about a database object', { schema_name: str('Schema name'), object_name: str('Object name'), object_type: oneOf(['table', 'view', 'sequence', 'extension'], 'Object type', { default: 'table' }) }, ['schema_name', 'object_name']),
    tool('execute_sql', 'execute', 'Execute any SQL query', { sql: str('SQL to run', { default: 'all' }) }),
    tool('explain_query', 'read', 'Explains the execution plan for a SQL query, showing how the database will execute it and provides detailed cost estimates.', { sql: str('SQL query to explain'), analyze: { type: 'boolean', default: false, description: 'When True, actually runs the query to show real execution statistics instead of estimates. Takes longer but provides more accurate information.' }, hypothetical_indexes: list({ type: 'object', additionalProperties: true }, 'A list of hypothetical indexes to simulate. Each index must be a dictionary with these keys: \'table\', \'columns\', \'using\' (optional)') }, ['sql']),
    tool('analyze_workload_indexes', 'read', 'Analyze frequently executed queries in the database and recommend optimal indexes', { max_index_size_mb: int('Max index size in MB', { default: 10000 }), method: oneOf(['dta', 'llm'], 'Method to use for analysis', { default: 'dta' }) }),
    tool('analyze_query_indexes', 'read', 'Analyze a list of (up to 10) SQL queries and recommend optimal indexes', { queries: list({ type: 'string' }, 'List of Query strings to analyze'), max_index_size_mb: int('Max index size in MB', { default: 10000 }) }, ['queries']),
    tool('analyze_db_health', 'read', 'Analyzes database health. Here are the available health checks:\n- index - checks for invalid, duplicate, and bloated indexes\n- connection - checks the number of connection and their utilization\n- vacuum - checks vacuum health for transaction id wraparound\n- sequence - checks sequences at risk of exceeding their maximum value\n- replication - checks replication health including lag and slots\n- buffer - checks for buffer cache hit rates for indexes and tables\n- constraint - checks for invalid constraints\n- all - runs all checks\nYou can optionally specify a single health check or a comma-separated list of health checks. The default is \'all\' checks.', { health_type: str('Optional. Valid values are: all, buffer, connection, constraint, index, replication, sequence, vacuum.', { default: 'all' }) }),
    tool('get_top_queries', 'read', 'Reports the slowest or most resource-intensive queries using data from the \'pg_stat_statements\' extension.', { sort_by: oneOf(['total_time', 'mean_time', 'resources'], 'Ranking criteria: \'total_time\' for total execution time or \'mean_time\' for mean execution time per call, or \'resources\' for resource-intensive queries', { default: 'resources' }), limit: int('Number of queries to return when ranking based on mean_time or total_time', { default: 10 }) }),
  ],
});
