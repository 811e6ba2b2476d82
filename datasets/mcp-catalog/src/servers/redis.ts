// Modelled on the official redis/mcp-redis server (Python FastMCP): one tool per data-structure command.
import { defineServer, int, list, str, tool } from '../dsl.js';

const key = { key: str('The Redis key') };

export default defineServer({
  name: 'redis',
  openWorld: false,
  schemaStyle: 'pydantic',
  tools: [
    tool('get', 'read', 'Get a Redis string value.', key, ['key']),
    tool('set', 'update', 'Set a Redis string value with an optional expiration time.', { ...key, value: str('The value to store.'), expiration: int('Expiration time in seconds (optional).') }, ['key', 'value']),
    tool('delete', 'delete', 'Delete a Redis key.', key, ['key']),
    tool('expire', 'update', 'Set an expiration time for a Redis key.', { name: str('The Redis key.'), expire_seconds: int('Time in seconds after which the key should expire.') }, ['name', 'expire_seconds']),
    tool('type', 'read', 'Returns the string representation of the type of the value stored at key', key, ['key']),
    tool('scan_keys', 'read', 'Scan keys in the Redis database using the SCAN command (non-blocking, production-safe).', { pattern: str('Pattern to match keys against (default is "*" for all keys).', { default: '*' }), count: int('Number of keys to return per iteration', { default: 100 }), cursor: int('The cursor position to start scanning from', { default: 0 }) }),
    tool('hset', 'update', 'Set a field in a hash stored at key with an optional expiration time.', { name: str('The Redis hash key.'), key: str('The field name inside the hash.'), value: str('The value to set.'), expire_seconds: int('Optional; time in seconds after which the key should expire.') }, ['name', 'key', 'value']),
    tool('hgetall', 'read', 'Get all fields and values from a Redis hash.', { name: str('The Redis hash key.') }, ['name']),
    tool('lpush', 'create', 'Push a value onto the left of a Redis list and optionally set an expiration time.', { name: str('The Redis list key.'), value: str('The value to push.'), expire: int('Optional expiration in seconds.') }, ['name', 'value']),
    tool('lrange', 'read', 'Get elements from a Redis list within a specific range.', { name: str('The Redis list key.'), start: int('Start index.'), stop: int('Stop index.') }, ['name', 'start', 'stop']),
    tool('publish', 'create', 'Publish a message to a Redis channel.', { channel: str('The Redis channel to publish to.'), message: str('The message to send.') }, ['channel', 'message']),
    tool('xadd', 'create', 'Add an entry to a Redis stream with an optional expiration time.', { key: str('The stream key.'), fields: { type: 'object', additionalProperties: { type: 'string' }, description: 'The fields and values for the stream entry.' }, expiration: int('Expiration time in seconds (optional).') }, ['key', 'fields']),
    tool('info', 'read', 'Get Redis server information and statistics.', { section: str('The section of the info command (default, memory, cpu, etc.).', { default: 'default' }) }),
    tool('dbsize', 'read', 'Get the number of keys stored in the Redis database', {}),
    tool('vector_search_hash', 'read', 'Perform a KNN vector similarity search using Redis 8 or Redis Stack on vectors stored in hash data structures.', { query_vector: list({ type: 'number' }, 'List of floats to use as the query vector.'), index_name: str('Name of the Redis index.', { default: 'vector_index' }), k: int('Number of nearest neighbors to return.', { default: 5 }) }, ['query_vector']),
  ],
});
