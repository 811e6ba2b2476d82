// Modelled on sooperset/mcp-atlassian (Python FastMCP): confluence_* tools, CQL search, page IDs.
import { bool, defineServer, int, str, tool } from '../dsl.js';

const pageId = { page_id: str('Confluence page ID (numeric ID, can be found in the page URL). For example, in \'https://example.atlassian.net/wiki/spaces/TEAM/pages/123456789/Page+Title\', the page ID is \'123456789\'.') };

export default defineServer({
  name: 'confluence',
  openWorld: true,
  schemaStyle: 'pydantic',
  tools: [
    tool('confluence_search', 'read', 'Search Confluence content using simple terms or CQL.', { query: str('Search query - can be either a simple text (e.g. \'project documentation\') or a CQL query string. Examples: \'type=page AND space=DEV\', \'title~"Meeting Notes"\', \'lastmodified > startOfMonth("-1M")\''), limit: int('Maximum number of results (1-50)', { default: 10, minimum: 1, maximum: 50 }), spaces_filter: str('(Optional) Comma-separated list of space keys to filter results by.') }, ['query']),
    tool('confluence_get_page', 'read', 'Get content of a specific Confluence page by its ID, or by its title and space key.', { ...pageId, title: str('The exact title of the Confluence page. Use this with \'space_key\' if \'page_id\' is not known.'), space_key: str('The key of the Confluence space where the page resides (e.g., \'DEV\', \'TEAM\').'), include_metadata: bool('Whether to include page metadata such as creation date, last update, version, and labels.', { default: true }), convert_to_markdown: bool('Whether to convert page to markdown (true) or keep it in raw HTML format (false).', { default: true }) }),
    tool('confluence_get_page_children', 'read', 'Get child pages of a specific Confluence page.', { parent_id: str('The ID of the parent page whose children you want to retrieve'), limit: int('Maximum number of child pages to return (1-50)', { default: 25 }), include_content: bool('Whether to include the page content in the response', { default: false }) }, ['parent_id']),
    tool('confluence_get_comments', 'read', 'Get comments for a specific Confluence page.', pageId, ['page_id']),
    tool('confluence_add_comment', 'create', 'Add a comment to a Confluence page.', { ...pageId, content: str('The comment content in Markdown format.') }, ['page_id', 'content']),
    tool('confluence_get_labels', 'read', 'Get labels for a specific Confluence content (page, blog post, or attachment).', pageId, ['page_id']),
    tool('confluence_add_label', 'create', 'Add label to an existing Confluence page.', { ...pageId, name: str('The name of the label') }, ['page_id', 'name']),
    tool('confluence_create_page', 'create', 'Create a new Confluence page.', { space_key: str('The key of the space to create the page in (usually a short uppercase code like \'DEV\', \'TEAM\', or \'DOC\')'), title: str('The title of the page'), content: str('The content of the page in Markdown format. Supports headings, lists, tables, code blocks, and other Markdown syntax'), parent_id: str('(Optional) parent page ID. If provided, this page will be created as a child of the specified page') }, ['space_key', 'title', 'content']),
    tool('confluence_update_page', 'update', 'Update an existing Confluence page.', { ...pageId, title: str('The new title of the page'), content: str('The new content of the page in Markdown format'), is_minor_edit: bool('Whether this is a minor edit', { default: false }), version_comment: str('Optional comment for this version') }, ['page_id', 'title', 'content']),
    tool('confluence_delete_page', 'delete', 'Delete an existing Confluence page.', { page_id: str('The ID of the page to delete') }, ['page_id']),
    tool('confluence_search_user', 'read', 'Search Confluence users using CQL.', { query: str('Search query - a CQL query string for user search, e.g. \'user.fullname ~ "First Last"\''), limit: int('Maximum number of results (1-50)', { default: 10 }) }, ['query']),
    tool('confluence_get_page_history', 'read', 'Get a historical version of a specific Confluence page.', { ...pageId, version: int('The version number of the page to retrieve') }, ['page_id', 'version']),
  ],
});
