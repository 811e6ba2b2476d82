// Modelled on HubSpot's MCP server: hubspot-* tools over CRM objects (contacts, companies, deals, tickets).
import { defineServer, int, list, oneOf, record, str, tool } from '../dsl.js';

const objectType = oneOf(['contacts', 'companies', 'deals', 'tickets', 'products', 'line_items', 'quotes'], 'The CRM object type');

export default defineServer({
  name: 'hubspot',
  openWorld: true,
  schemaStyle: 'zod',
  tools: [
    tool('hubspot-get-user-details', 'read', 'Get the authenticated HubSpot user, hub ID and account scopes. Use first to understand the account.', {}),
    tool('hubspot-list-objects', 'read', 'Retrieves a paginated list of objects of a specified type from HubSpot.', { objectType, limit: int('Maximum number of results per page (max 500).', { default: 100, maximum: 500 }), after: str('Pagination cursor'), properties: list({ type: 'string' }, 'Properties to include') }, ['objectType']),
    tool('hubspot-search-objects', 'read', 'Performs advanced filtered searches across HubSpot object types using complex criteria.', { objectType, query: str('Text to search across default searchable properties'), filterGroups: list({ type: 'object' }, 'Filter groups, e.g. [{"filters": [{"propertyName": "dealstage", "operator": "EQ", "value": "closedwon"}]}]'), limit: int('Max results', { default: 10 }) }, ['objectType']),
    tool('hubspot-batch-create-objects', 'create', 'Creates multiple HubSpot objects of the same objectType in a single API call.', { objectType, inputs: list(objectInput('Object properties'), 'Objects to create') }, ['objectType', 'inputs']),
    tool('hubspot-batch-update-objects', 'update', 'Updates multiple existing HubSpot objects of the same objectType in a single API call.', { objectType, inputs: list({ type: 'object', properties: { id: { type: 'string' }, properties: { type: 'object' } }, required: ['id', 'properties'] }, 'Objects to update') }, ['objectType', 'inputs']),
    tool('hubspot-batch-read-objects', 'read', 'Retrieves multiple HubSpot objects of the same object type by their IDs in a single batch operation.', { objectType, inputs: list({ type: 'object', properties: { id: { type: 'string' } }, required: ['id'] }, 'IDs to read'), properties: list({ type: 'string' }, 'Properties to return') }, ['objectType', 'inputs']),
    tool('hubspot-create-association', 'create', 'Establishes relationships between HubSpot objects across different object types (e.g. a contact to a deal).', { fromObjectType: objectType, fromObjectId: str('ID of the source object'), toObjectType: objectType, toObjectId: str('ID of the target object') }, ['fromObjectType', 'fromObjectId', 'toObjectType', 'toObjectId']),
    tool('hubspot-list-associations', 'read', 'Retrieves existing relationships between a specific object and other objects of a particular type.', { objectType, objectId: str('ID of the object'), toObjectType: objectType }, ['objectType', 'objectId', 'toObjectType']),
    tool('hubspot-list-properties', 'read', 'Retrieves a complete catalog of properties for any HubSpot object type.', { objectType }, ['objectType']),
    tool('hubspot-create-engagement', 'create', 'Creates a HubSpot engagement (Note or Task) associated with contacts, companies, deals, or tickets.', { type: oneOf(['NOTE', 'TASK'], 'The type of engagement'), ownerId: int('The ID of the owner'), associations: record('Associated object IDs, e.g. {"contactIds": [1]}'), metadata: record('Engagement content, e.g. {"body": "Call recap"}') }, ['type', 'ownerId', 'associations', 'metadata']),
    tool('hubspot-list-workflows', 'read', 'Retrieves a paginated list of workflows (automation flows) from the HubSpot account.', { limit: int('Max results', { default: 20 }), after: str('Pagination cursor') }),
    tool('hubspot-get-link', 'read', 'Generates HubSpot UI links for different pages based on object types and IDs.', { portalId: str('The HubSpot portal/account ID'), uiDomain: str('The HubSpot UI domain'), pageRequests: list({ type: 'object' }, 'Pages to link to') }, ['portalId', 'uiDomain', 'pageRequests']),
  ],
});

function objectInput(description: string) {
  return { type: 'object', properties: { properties: record('Property values keyed by internal name') }, required: ['properties'], description };
}
