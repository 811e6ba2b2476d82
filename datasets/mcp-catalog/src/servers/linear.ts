// Modelled on Linear's hosted MCP server: short verbs, identifiers like "ENG-123", markdown bodies.
import { bool, defineServer, int, list, str, tool } from '../dsl.js';

const paging = { limit: int('The number of results to return (max 250)', { default: 50, maximum: 250 }), cursor: str('An opaque cursor for pagination') };

export default defineServer({
  name: 'linear',
  openWorld: true,
  schemaStyle: 'zod',
  tools: [
    tool('list_issues', 'read', 'List issues in the user\'s Linear workspace', { query: str('An optional search query'), team: str('The team name or ID'), state: str('The state name or ID'), assignee: str('The assignee user ID, name, or email. Use "me" for the current user'), label: str('The label name or ID'), project: str('The project name or ID'), includeArchived: bool('Whether to include archived issues', { default: true }), orderBy: { type: 'string', enum: ['createdAt', 'updatedAt'], description: 'How to order results', default: 'updatedAt' }, ...paging }),
    tool('get_issue', 'read', 'Retrieve detailed information about an issue by ID, including attachments and git branch name', { id: str('The issue ID, e.g. "LIN-123"') }, ['id']),
    tool('create_issue', 'create', 'Create a new Linear issue', { title: str('The issue title'), team: str('The team name or ID'), description: str('The issue description as Markdown'), assignee: str('The user ID, name, email, or "me"'), priority: int('0 = No priority, 1 = Urgent, 2 = High, 3 = Normal, 4 = Low', { minimum: 0, maximum: 4 }), state: str('The issue state type, name, or ID'), labels: list({ type: 'string' }, 'Label names or IDs'), project: str('The project name or ID'), cycle: str('The cycle name, number, or ID'), parentId: str('The parent issue ID, if this is a sub-issue'), dueDate: str('The due date in ISO format') }, ['title', 'team']),
    tool('update_issue', 'update', 'Update an existing Linear issue', { id: str('The issue ID'), title: str('The issue title'), description: str('The issue description as Markdown'), assignee: str('The user ID, name, email, or "me". Null to remove'), priority: int('0 = No priority, 1 = Urgent, 2 = High, 3 = Normal, 4 = Low'), state: str('The issue state type, name, or ID'), labels: list({ type: 'string' }, 'Label names or IDs'), project: str('The project name or ID'), estimate: int('The numerical issue estimate value'), dueDate: str('The due date in ISO format') }, ['id']),
    tool('list_comments', 'read', 'List comments for a specific Linear issue', { issueId: str('The issue ID') }, ['issueId']),
    tool('create_comment', 'create', 'Create a comment on a specific Linear issue', { issueId: str('The issue ID'), body: str('The content of the comment as Markdown'), parentId: str('A parent comment ID to reply to') }, ['issueId', 'body']),
    tool('list_projects', 'read', 'List projects in the user\'s Linear workspace', { query: str('Search for project name'), team: str('A team name or ID to filter by'), state: str('A project state name or ID'), includeArchived: bool('Whether to include archived projects', { default: false }), ...paging }),
    tool('get_project', 'read', 'Retrieve details of a specific project in Linear', { query: str('The ID or name of the project to retrieve') }, ['query']),
    tool('create_project', 'create', 'Create a new project in Linear', { name: str('A descriptive name of the project'), team: str('A team name or ID'), summary: str('A concise plaintext summary of the project (max 255 chars)'), description: str('The full project description in Markdown format'), lead: str('The user to make the project lead'), startDate: str('The start date of the project in ISO format'), targetDate: str('The target date of the project in ISO format') }, ['name', 'team']),
    tool('list_teams', 'read', 'List teams in the user\'s Linear workspace', { query: str('An optional search query'), ...paging }),
    tool('get_team', 'read', 'Retrieve details of a specific Linear team', { query: str('The UUID, key, or name of the team to retrieve') }, ['query']),
    tool('list_users', 'read', 'Retrieve users in the Linear workspace', { query: str('An optional search query') }),
    tool('list_issue_statuses', 'read', 'List available issue statuses in a Linear team', { team: str('The team name or ID') }, ['team']),
    tool('list_issue_labels', 'read', 'List available issue labels in a Linear workspace or team', { team: str('Optional team name or ID'), name: str('Filter by label name') }),
    tool('list_cycles', 'read', 'Retrieve cycles for a specific Linear team', { teamId: str('The team ID'), type: { type: 'string', enum: ['current', 'previous', 'next'], description: 'Retrieve only the current, previous or next cycle. If not provided, all cycles are returned' } }, ['teamId']),
    tool('list_documents', 'read', 'List documents in the user\'s Linear workspace', { query: str('An optional search query'), projectId: str('Filter by project ID'), ...paging }),
    tool('get_document', 'read', 'Retrieve a Linear document by ID or slug', { id: str('The document ID or slug') }, ['id']),
    tool('search_documentation', 'read', 'Search Linear\'s documentation to learn about features and usage', { query: str('The search query'), page: int('The page number', { default: 0 }) }, ['query']),
  ],
});
