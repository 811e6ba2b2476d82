// Modelled on the official mongodb-js/mongodb-mcp-server: kebab-case tools, database + collection on every call.
import { defineServer, int, list, record, str, tool } from '../dsl.js';

const coll = { database: str('Database name'), collection: str('Collection name') };

export default defineServer({
  name: 'mongodb',
  openWorld: false,
  schemaStyle: 'zod',
  tools: [
    tool('connect', 'update', 'Connect to a MongoDB instance', { connectionString: str('MongoDB connection string (in the mongodb:// or mongodb+srv:// format)') }, ['connectionString']),
    tool('list-databases', 'read', 'List all databases for a MongoDB connection', {}),
    tool('list-collections', 'read', 'List all collections for a given database', { database: str('Database name') }, ['database']),
    tool('collection-schema', 'read', 'Describe the schema for a collection', coll, ['database', 'collection']),
    tool('collection-indexes', 'read', 'Describe the indexes for a collection', coll, ['database', 'collection']),
    tool('collection-storage-size', 'read', 'Gets the size of the collection', coll, ['database', 'collection']),
    tool('find', 'read', 'Run a find query against a MongoDB collection', { ...coll, filter: record('The query filter, matching the syntax of the query argument of db.collection.find()'), projection: record('The projection, matching the syntax of the projection argument of db.collection.find()'), limit: int('The maximum number of documents to return', { default: 10 }), sort: record('A document, describing the sort order, matching the syntax of the sort argument of cursor.sort()') }, ['database', 'collection']),
    tool('aggregate', 'read', 'Run an aggregation against a MongoDB collection', { ...coll, pipeline: list(record('A pipeline stage'), 'An array of aggregation stages to execute') }, ['database', 'collection', 'pipeline']),
    tool('count', 'read', 'Gets the number of documents in a MongoDB collection using db.collection.count() and query as an optional filter parameter', { ...coll, query: record('A filter/query parameter. Allows users to filter the documents to count. Matches the syntax of the filter argument of db.collection.count().') }, ['database', 'collection']),
    tool('explain', 'read', 'Returns statistics describing the execution of the winning plan chosen by the query optimizer for the evaluated method', { ...coll, method: list(record('The method and its arguments to run'), 'The method and its arguments to run') }, ['database', 'collection', 'method']),
    tool('insert-many', 'create', 'Insert an array of documents into a MongoDB collection', { ...coll, documents: list(record('An individual MongoDB document'), 'The array of documents to insert, matching the syntax of the document argument of db.collection.insertMany()') }, ['database', 'collection', 'documents']),
    tool('update-many', 'update', 'Updates all documents that match the specified filter for a collection', { ...coll, filter: record('The selection criteria for the update, matching the syntax of the filter argument of db.collection.updateOne()'), update: record('An update document describing the modifications to apply using update operator expressions'), upsert: { type: 'boolean', description: 'Controls whether to insert a new document if no documents match the filter' } }, ['database', 'collection', 'update']),
    tool('delete-many', 'delete', 'Removes all documents that match the filter from a MongoDB collection', { ...coll, filter: record('The query filter, specifying the deletion criteria. Matches the syntax of the filter argument of db.collection.deleteMany()') }, ['database', 'collection']),
    tool('create-index', 'create', 'Create an index for a collection', { ...coll, keys: record('The index definition'), name: str('The name of the index') }, ['database', 'collection', 'keys']),
    tool('drop-collection', 'delete', 'Removes a collection or view from the database. The method also removes any indexes associated with the dropped collection.', coll, ['database', 'collection']),
    tool('rename-collection', 'update', 'Renames a collection in a MongoDB database', { ...coll, newName: str('The new name for the collection'), dropTarget: { type: 'boolean', default: false, description: 'If true, drops the target collection if it exists' } }, ['database', 'collection', 'newName']),
    tool('db-stats', 'read', 'Returns statistics that reflect the use state of a single database', { database: str('Database name') }, ['database']),
    tool('mongodb-logs', 'read', 'Returns the most recent logged mongod events', { type: { type: 'string', enum: ['global', 'startupWarnings'], default: 'global', description: 'The type of logs to return' }, limit: int('The maximum number of log entries to return.', { default: 50, minimum: 1, maximum: 1024 }) }),
  ],
});
