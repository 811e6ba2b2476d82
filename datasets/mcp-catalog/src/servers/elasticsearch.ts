// Modelled on elastic/mcp-server-elasticsearch: list indices, mappings, Query DSL and ES|QL.
import { defineServer, record, str, tool } from '../dsl.js';

export default defineServer({
  name: 'elasticsearch',
  openWorld: false,
  schemaStyle: 'zod',
  tools: [
    tool('list_indices', 'read', 'List all available Elasticsearch indices', { index_pattern: str('Index pattern of Elasticsearch indices to list', { default: '*' }) }),
    tool('get_mappings', 'read', 'Get field mappings for a specific Elasticsearch index', { index: str('Name of the Elasticsearch index to get mappings for') }, ['index']),
    tool('search', 'read', 'Perform an Elasticsearch search with the provided query DSL. Highlights are always enabled.', { index: str('Name of the Elasticsearch index to search'), query_body: record('Complete Elasticsearch query DSL object that can include query, size, from, sort, etc.') }, ['index', 'query_body']),
    tool('esql', 'read', 'Perform an ES|QL query', { query: str('Complete Elasticsearch ES|QL query, e.g. FROM logs-* | WHERE level == "error" | STATS count() BY service') }, ['query']),
    tool('get_shards', 'read', 'Get shard information for all or specific indices', { index: str('Optional index name to get shard information for') }),
    tool('index_document', 'update', 'Index (create or replace) a document in an Elasticsearch index', { index: str('Target index'), id: str('Document ID (generated when omitted)'), document: record('The JSON document') }, ['index', 'document']),
    tool('delete_by_query', 'delete', 'Delete every document in an index that matches a query', { index: str('Target index'), query: record('Query DSL selecting the documents to delete') }, ['index', 'query']),
    tool('cluster_health', 'read', 'Get the Elasticsearch cluster health: status (green/yellow/red), node count, unassigned shards', {}),
  ],
});
