// Modelled on getsentry/sentry-mcp: organizationSlug on every call, natural-language search tools.
import { defineServer, int, oneOf, str, tool } from '../dsl.js';

const org = { organizationSlug: str('The organization\'s slug. You can find a existing list of organizations you have access to using the `find_organizations()` tool.') };
const issue = { ...org, issueId: str('The Issue ID. e.g. `PROJECT-1Z43`'), issueUrl: str('The URL of the issue. e.g. https://my-organization.sentry.io/issues/PROJECT-1Z43', { format: 'uri' }) };

export default defineServer({
  name: 'sentry',
  openWorld: true,
  schemaStyle: 'zod',
  tools: [
    tool('whoami', 'read', 'Identify the authenticated user in Sentry. Use this tool when you need to know who I am.', {}),
    tool('find_organizations', 'read', 'Find organizations that the user has access to in Sentry.', { query: str('Search query to filter results by name or slug.') }),
    tool('find_projects', 'read', 'Find projects in Sentry.', { ...org, query: str('Search query to filter results by name or slug.') }, ['organizationSlug']),
    tool('find_releases', 'read', 'Find releases in Sentry. Use this tool when you need to find the most recent releases or know whether a release has been deployed.', { ...org, projectSlug: str('The project\'s slug.'), query: str('Search for versions which contain the provided string.') }, ['organizationSlug']),
    tool('get_issue_details', 'read', 'Get detailed information about a specific Sentry issue by ID, including the latest event stacktrace.', { ...issue, eventId: str('The ID of a specific event to retrieve details for.') }),
    tool('search_issues', 'read', 'Search for grouped issues/problems in Sentry - returns a LIST of issues, NOT counts or aggregations. Uses AI to translate natural language queries into Sentry issue search syntax.', { ...org, naturalLanguageQuery: str('Natural language description of issues to search for'), projectSlugOrId: str('The project\'s slug or numeric ID (optional)'), limit: int('Maximum number of issues to return', { default: 10, minimum: 1, maximum: 100 }) }, ['organizationSlug', 'naturalLanguageQuery']),
    tool('search_events', 'read', 'Search for events AND perform counts/aggregations - the ONLY tool for statistics and counts. Supports errors, logs and spans.', { ...org, naturalLanguageQuery: str('Natural language description of what you want to search for'), projectSlug: str('Filter by project slug'), limit: int('Maximum number of results to return', { default: 10 }) }, ['organizationSlug', 'naturalLanguageQuery']),
    tool('update_issue', 'update', 'Update an issue\'s status or assignment in Sentry. This allows you to resolve, ignore, or reassign issues.', { ...issue, status: oneOf(['resolved', 'resolvedInNextRelease', 'unresolved', 'ignored'], 'The new status for the issue.'), assignedTo: str('The assignee in format \'user:ID\' or \'team:ID\'.') }),
    tool('get_trace_details', 'read', 'Get high-level overview of a Sentry trace: spans, services and durations.', { ...org, traceId: str('The trace ID. e.g. `a4d1aae7216b47ff8117cf4e09ce9d0a`') }, ['organizationSlug', 'traceId']),
    tool('analyze_issue_with_seer', 'read', 'Use Seer to analyze production errors and get detailed root cause analysis with specific code fixes.', issue),
    tool('create_project', 'create', 'Create a new project in Sentry (includes DSN automatically).', { ...org, teamSlug: str('The team\'s slug.'), name: str('The name of the project.'), platform: str('The platform for the project, e.g. python, javascript-react') }, ['organizationSlug', 'teamSlug', 'name']),
    tool('find_dsns', 'read', 'List all Sentry DSNs for a specific project.', { ...org, projectSlug: str('The project\'s slug.') }, ['organizationSlug', 'projectSlug']),
  ],
});
