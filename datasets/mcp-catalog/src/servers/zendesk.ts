// Modelled on community Zendesk MCP servers (reminia/zendesk-mcp-server, Python): support tickets and Help Center.
import { defineServer, int, list, oneOf, str, tool } from '../dsl.js';

const ticket = { ticket_id: int('The ID of the ticket') };

export default defineServer({
  name: 'zendesk',
  openWorld: true,
  schemaStyle: 'pydantic',
  tools: [
    tool('get_ticket', 'read', 'Retrieve a Zendesk ticket by its ID', ticket, ['ticket_id']),
    tool('get_tickets', 'read', 'Fetch the latest tickets with pagination support', { page: int('Page number', { default: 1 }), per_page: int('Number of tickets per page (max 100)', { default: 25 }), sort_by: oneOf(['created_at', 'updated_at', 'priority', 'status'], 'Field to sort by', { default: 'created_at' }), sort_order: oneOf(['asc', 'desc'], 'Sort order', { default: 'desc' }) }),
    tool('search_tickets', 'read', 'Search tickets with the Zendesk search syntax, e.g. "status:open priority:urgent requester:jane@acme.com"', { query: str('Zendesk search query') }, ['query']),
    tool('get_ticket_comments', 'read', 'Retrieve all comments for a Zendesk ticket by its ID', ticket, ['ticket_id']),
    tool('create_ticket_comment', 'create', 'Create a new comment on an existing Zendesk ticket', { ...ticket, comment: str('The comment text/content to add'), public: { type: 'boolean', description: 'Whether the comment should be public (visible to the requester) or an internal note', default: true } }, ['ticket_id', 'comment']),
    tool('create_ticket', 'create', 'Create a new Zendesk ticket', { subject: str('Ticket subject'), description: str('Ticket description'), requester_email: str('Email of the requester', { format: 'email' }), priority: oneOf(['low', 'normal', 'high', 'urgent'], 'Priority'), type: oneOf(['problem', 'incident', 'question', 'task'], 'Ticket type'), tags: list({ type: 'string' }, 'Tags to add') }, ['subject', 'description']),
    tool('update_ticket', 'update', 'Update fields on an existing Zendesk ticket (e.g., status, priority, assignee_id)', { ...ticket, status: oneOf(['new', 'open', 'pending', 'hold', 'solved', 'closed'], 'New status'), priority: oneOf(['low', 'normal', 'high', 'urgent'], 'New priority'), assignee_id: int('Agent to assign'), tags: list({ type: 'string' }, 'Replace the ticket tags') }, ['ticket_id']),
    tool('merge_tickets', 'update', 'Merge one or more source tickets into a target ticket; the sources are closed', { target_ticket_id: int('Ticket that survives'), source_ticket_ids: list({ type: 'integer' }, 'Tickets merged into the target') }, ['target_ticket_id', 'source_ticket_ids']),
    tool('get_user', 'read', 'Look up a Zendesk end user or agent by ID or email', { user_id: int('User ID'), email: str('User email', { format: 'email' }) }),
    tool('search_articles', 'read', 'Search Help Center knowledge base articles', { query: str('Search text'), locale: str('Locale, e.g. en-us') }, ['query']),
    tool('get_article', 'read', 'Get a Help Center article with its body', { article_id: int('Article ID') }, ['article_id']),
    tool('list_macros', 'read', 'List the support macros (canned responses) available to the agent', {}),
  ],
});
