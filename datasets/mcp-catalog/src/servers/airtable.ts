// Modelled on domdomegg/airtable-mcp-server: bases, tables and records addressed by ID.
import { defineServer, int, list, record, str, tool } from '../dsl.js';

const table = { baseId: str('The ID of the base'), tableId: str('The ID or name of the table') };

export default defineServer({
  name: 'airtable',
  openWorld: true,
  schemaStyle: 'zod',
  tools: [
    tool('list_bases', 'read', 'Lists all accessible Airtable bases', {}),
    tool('list_tables', 'read', 'Lists all tables in a specific base', { baseId: str('The ID of the base'), detailLevel: { type: 'string', enum: ['tableIdentifiersOnly', 'identifiersOnly', 'full'], description: 'Detail level for table information' } }, ['baseId']),
    tool('describe_table', 'read', 'Gets detailed information about a specific table', { ...table, detailLevel: { type: 'string', enum: ['tableIdentifiersOnly', 'identifiersOnly', 'full'], description: 'Detail level' } }, ['baseId', 'tableId']),
    tool('list_records', 'read', 'Lists records from a specified Airtable table', { ...table, view: str('View name or ID'), maxRecords: int('Maximum number of records to return. Defaults to 100.'), filterByFormula: str('Airtable formula to filter records') }, ['baseId', 'tableId']),
    tool('search_records', 'read', 'Search for records containing specific text', { ...table, searchTerm: str('Text to search for in records'), fieldIds: list({ type: 'string' }, 'Specific field IDs to search in. If not provided, searches all text-based fields.') }, ['baseId', 'tableId', 'searchTerm']),
    tool('get_record', 'read', 'Gets a specific record by ID', { ...table, recordId: str('The ID of the record') }, ['baseId', 'tableId', 'recordId']),
    tool('create_record', 'create', 'Creates a new record in a table', { ...table, fields: record('The fields of the record, keyed by field name or ID') }, ['baseId', 'tableId', 'fields']),
    tool('update_records', 'update', 'Updates up to 10 records in a table', { ...table, records: list({ type: 'object', properties: { id: { type: 'string' }, fields: { type: 'object' } }, required: ['id', 'fields'] }, 'Records to update') }, ['baseId', 'tableId', 'records']),
    tool('delete_records', 'delete', 'Deletes records from a table', { ...table, recordIds: list({ type: 'string' }, 'IDs of the records to delete') }, ['baseId', 'tableId', 'recordIds']),
    tool('create_field', 'create', 'Creates a new field in a table', { ...table, nested: record('The field definition: {"field": {"name", "type", "description", "options"}}') }, ['baseId', 'tableId', 'nested']),
  ],
});
