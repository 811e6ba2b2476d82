// Modelled on BigQuery MCP servers (LucasHild/mcp-server-bigquery, Google's MCP Toolbox for Databases).
import { bool, defineServer, int, str, tool } from '../dsl.js';

export default defineServer({
  name: 'bigquery',
  openWorld: true,
  schemaStyle: 'plain',
  tools: [
    tool('execute-query', 'execute', 'Execute a SQL query using BigQuery dialect', { query: str('GoogleSQL query to run'), dry_run: bool('Validate the query and estimate bytes processed without running it', { default: false }), maximum_bytes_billed: int('Fail the query if it would bill more than this many bytes') }, ['query']),
    tool('list-datasets', 'read', 'List the datasets in a BigQuery project', { project: str('GCP project ID (defaults to the configured project)') }),
    tool('list-tables', 'read', 'List all tables in the BigQuery database', { dataset: str('Dataset ID') }, ['dataset']),
    tool('describe-table', 'read', 'Get the schema information for a specific table', { table_name: str('Name of the table to describe (e.g. my_dataset.my_table)') }, ['table_name']),
    tool('get-job', 'read', 'Get the status, statistics and errors of a BigQuery job', { job_id: str('Job ID'), location: str('Job location, e.g. US or EU') }, ['job_id']),
    tool('estimate-query-cost', 'read', 'Dry-run a query and report bytes processed and estimated on-demand cost', { query: str('GoogleSQL query') }, ['query']),
    tool('create-table-from-query', 'create', 'Run a query and save the result as a new table', { query: str('GoogleSQL query'), destination_table: str('dataset.table to create'), write_disposition: { type: 'string', enum: ['WRITE_EMPTY', 'WRITE_TRUNCATE', 'WRITE_APPEND'], default: 'WRITE_EMPTY', description: 'What to do if the table exists' } }, ['query', 'destination_table']),
  ],
});
