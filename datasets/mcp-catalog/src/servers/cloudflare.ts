// Modelled on cloudflare/mcp-server-cloudflare: Workers, KV, R2, D1, DNS and analytics, addressed by account.
import { defineServer, int, list, oneOf, str, tool } from '../dsl.js';

export default defineServer({
  name: 'cloudflare',
  openWorld: true,
  schemaStyle: 'zod',
  tools: [
    tool('accounts_list', 'read', 'List all accounts in your Cloudflare account', {}),
    tool('set_active_account', 'update', 'Set active account to be used for tool calls that require accountId', { activeAccountIdParam: str('The accountId present in the users chat context.') }, ['activeAccountIdParam']),
    tool('workers_list', 'read', 'List all Workers in your Cloudflare account.', {}),
    tool('workers_get_worker', 'read', 'Get the details of the Cloudflare Worker.', { scriptName: str('The name of the worker script to retrieve') }, ['scriptName']),
    tool('workers_get_worker_code', 'read', 'Get the source code of a Cloudflare Worker. Note: This may be a bundled version of the worker.', { scriptName: str('The name of the worker script to retrieve') }, ['scriptName']),
    tool('kv_namespaces_list', 'read', 'List all of the kv namespaces in your Cloudflare account.', { params: { type: 'object', properties: { page: { type: 'integer' }, per_page: { type: 'integer' } }, description: 'Pagination' } }),
    tool('kv_namespace_create', 'create', 'Create a new kv namespace in your Cloudflare account', { title: str('The human-readable name/title of the KV namespace') }, ['title']),
    tool('r2_buckets_list', 'read', 'List r2 buckets in your Cloudflare account', { name_contains: str('Bucket names to filter by'), per_page: int('Maximum number of buckets to return') }),
    tool('r2_bucket_create', 'create', 'Create a new r2 bucket in your Cloudflare account', { name: str('The name of the r2 bucket') }, ['name']),
    tool('d1_databases_list', 'read', 'List all of the D1 databases in your Cloudflare account', { name: str('Filter by name'), page: int('Page number'), per_page: int('Page size') }),
    tool('d1_database_query', 'execute', 'Query a D1 database in your Cloudflare account', { database_id: str('The D1 database ID'), sql: str('The SQL query to run'), params: list({ type: 'string' }, 'Parameters for the query') }, ['database_id', 'sql']),
    tool('zones_list', 'read', 'List the zones (domains) in the account', { name: str('Filter by domain name') }),
    tool('dns_records_list', 'read', 'List the DNS records of a zone', { zoneId: str('Zone ID'), type: oneOf(['A', 'AAAA', 'CNAME', 'MX', 'TXT', 'NS', 'SRV', 'CAA'], 'Record type') }, ['zoneId']),
    tool('dns_record_create', 'create', 'Create a DNS record in a zone', { zoneId: str('Zone ID'), type: oneOf(['A', 'AAAA', 'CNAME', 'MX', 'TXT', 'NS', 'SRV', 'CAA'], 'Record type'), name: str('Record name, e.g. api.example.com'), content: str('Record content, e.g. an IP address'), proxied: { type: 'boolean', description: 'Whether traffic goes through Cloudflare', default: false }, ttl: int('TTL in seconds (1 = automatic)', { default: 1 }) }, ['zoneId', 'type', 'name', 'content']),
    tool('cache_purge', 'delete', 'Purge cached content for a zone, by URL or everything', { zoneId: str('Zone ID'), files: list({ type: 'string', format: 'uri' }, 'URLs to purge (omit with purge_everything)'), purge_everything: { type: 'boolean', default: false, description: 'Purge the whole cache' } }, ['zoneId']),
    tool('query_worker_observability', 'read', 'Query the Workers Observability API to analyze logs and metrics from your Cloudflare Workers.', { query: { type: 'object', properties: { view: oneOf(['events', 'calculations', 'invocations'], 'What to return'), timeframe: { type: 'object', properties: { from: { type: 'string' }, to: { type: 'string' } } }, filters: list({ type: 'object' }, 'Filters such as $metadata.service = "my-worker"') }, required: ['view'], description: 'The observability query' } }, ['query']),
  ],
});
