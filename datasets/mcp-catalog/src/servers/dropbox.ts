// Modelled on community Dropbox MCP servers: path-addressed file operations against a Dropbox account.
import { bool, defineServer, int, str, tool } from '../dsl.js';

export default defineServer({
  name: 'dropbox',
  openWorld: true,
  schemaStyle: 'zod',
  tools: [
    tool('list_folder', 'read', 'List files and folders in a Dropbox folder', { path: str('Folder path ("" for the root)', { default: '' }), recursive: bool('Include all subfolders', { default: false }) }),
    tool('search_files', 'read', 'Search Dropbox for files and folders by name or content', { query: str('Text to search for'), path: str('Restrict the search to this folder'), max_results: int('Maximum results', { default: 20 }) }, ['query']),
    tool('download_file', 'read', 'Download a file from Dropbox and return its contents', { path: str('Path of the file in Dropbox') }, ['path']),
    tool('upload_file', 'update', 'Upload a file to Dropbox, overwriting any file at the same path', { path: str('Destination path in Dropbox'), content: str('File content (text, or base64 when encoding is base64)'), encoding: { type: 'string', enum: ['text', 'base64'], default: 'text', description: 'How content is encoded' } }, ['path', 'content']),
    tool('create_shared_link', 'create', 'Create a shareable link to a Dropbox file or folder', { path: str('Path to share'), expires: str('Expiry time', { format: 'date-time' }) }, ['path']),
    tool('move_file', 'update', 'Move or rename a file or folder in Dropbox', { from_path: str('Current path'), to_path: str('New path') }, ['from_path', 'to_path']),
    tool('delete_file', 'delete', 'Delete a file or folder from Dropbox', { path: str('Path to delete') }, ['path']),
    tool('get_file_metadata', 'read', 'Get size, modification time and revision of a Dropbox file', { path: str('Path of the file') }, ['path']),
  ],
});
