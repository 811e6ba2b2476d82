// Modelled on the reference gdrive server (search) and fuller community Google Drive/Docs/Sheets servers.
import { defineServer, int, list, oneOf, str, tool } from '../dsl.js';

const fileId = { fileId: str('ID of the file in Google Drive') };

export default defineServer({
  name: 'google-drive',
  openWorld: true,
  schemaStyle: 'zod',
  tools: [
    tool('search', 'read', 'Search for files in Google Drive', { query: str('Search query') }, ['query']),
    tool('gdrive_read_file', 'read', 'Read contents of a file from Google Drive. Google Docs are exported as Markdown, Sheets as CSV, Slides as plain text.', fileId, ['fileId']),
    tool('gdrive_list_folder', 'read', 'List the files inside a Google Drive folder', { folderId: str('Folder ID ("root" for My Drive)', { default: 'root' }), pageSize: int('Maximum number of files to return', { maximum: 1000 }), pageToken: str('Token for the next page') }),
    tool('gdrive_create_file', 'create', 'Create a new file in Google Drive (plain text, or a Google Doc when mimeType is application/vnd.google-apps.document)', { name: str('File name'), content: str('File content'), mimeType: str('MIME type of the new file', { default: 'text/plain' }), parentFolderId: str('Folder to create the file in') }, ['name', 'content']),
    tool('gdrive_update_file', 'update', 'Replace the content of an existing Google Drive file', { ...fileId, content: str('New file content') }, ['fileId', 'content']),
    tool('gdrive_create_folder', 'create', 'Create a new folder in Google Drive', { name: str('Folder name'), parentFolderId: str('Parent folder ID') }, ['name']),
    tool('gdrive_move_file', 'update', 'Move a file to a different folder', { ...fileId, newParentFolderId: str('Destination folder ID') }, ['fileId', 'newParentFolderId']),
    tool('gdrive_copy_file', 'create', 'Make a copy of a file', { ...fileId, name: str('Name of the copy') }, ['fileId']),
    tool('gdrive_share_file', 'update', 'Share a file with a user, group or domain by granting a permission', { ...fileId, emailAddress: str('Who to share with', { format: 'email' }), role: oneOf(['reader', 'commenter', 'writer', 'owner'], 'Access level'), sendNotificationEmail: { type: 'boolean', description: 'Email the recipient', default: true } }, ['fileId', 'emailAddress', 'role']),
    tool('gdrive_list_permissions', 'read', 'List who has access to a file and with which role', fileId, ['fileId']),
    tool('gdrive_trash_file', 'delete', 'Move a file to the trash (recoverable for 30 days)', fileId, ['fileId']),
    tool('gsheets_read', 'read', 'Read values from a Google Sheets spreadsheet range', { spreadsheetId: str('Spreadsheet ID'), ranges: list({ type: 'string' }, 'A1 notation ranges, e.g. ["Sheet1!A1:D20"]') }, ['spreadsheetId']),
    tool('gsheets_update_cell', 'update', 'Update a cell value in a Google Spreadsheet', { fileId: str('ID of the spreadsheet'), range: str('Cell range in A1 notation (e.g. \'Sheet1!A1\')'), value: str('New cell value') }, ['fileId', 'range', 'value']),
    tool('gdrive_list_comments', 'read', 'List the comments on a Google Drive file or Doc', fileId, ['fileId']),
  ],
});
