// Modelled on Asana's MCP server: asana_* tools over workspaces, projects and tasks (gids are strings).
import { bool, defineServer, list, str, tool } from '../dsl.js';

export default defineServer({
  name: 'asana',
  openWorld: true,
  schemaStyle: 'plain',
  tools: [
    tool('asana_list_workspaces', 'read', 'List all available workspaces in Asana', { opt_fields: str('Comma-separated list of optional fields to include') }),
    tool('asana_search_projects', 'read', 'Search for projects in Asana using name pattern matching', { workspace: str('The workspace to search in'), name_pattern: str('Regular expression pattern to match project names'), archived: bool('Only return archived projects', { default: false }) }, ['workspace', 'name_pattern']),
    tool('asana_search_tasks', 'read', 'Search tasks in a workspace with advanced filtering options', { workspace: str('The workspace to search in'), text: str('Text to search for in task names and descriptions'), completed: bool('Filter for completed tasks'), 'assignee.any': str('Comma-separated list of user IDs'), due_on_before: str('ISO 8601 date string', { format: 'date' }) }, ['workspace']),
    tool('asana_get_task', 'read', 'Get detailed information about a specific task', { task_id: str('The task ID to retrieve') }, ['task_id']),
    tool('asana_create_task', 'create', 'Create a new task in a project', { project_id: str('The project to create the task in'), name: str('Name of the task'), notes: str('Description of the task'), due_on: str('Due date in YYYY-MM-DD format'), assignee: str('Assignee (can be \'me\' or a user ID)') }, ['project_id', 'name']),
    tool('asana_update_task', 'update', 'Update an existing task\'s details', { task_id: str('The task ID to update'), name: str('New name for the task'), notes: str('New description for the task'), due_on: str('New due date in YYYY-MM-DD format'), completed: bool('Mark task as completed or not') }, ['task_id']),
    tool('asana_create_task_story', 'create', 'Create a comment or story on a task', { task_id: str('The task ID to add the story to'), text: str('The text content of the story/comment') }, ['task_id', 'text']),
    tool('asana_get_project_sections', 'read', 'Get sections in a project', { project_id: str('The project ID') }, ['project_id']),
    tool('asana_add_task_dependencies', 'update', 'Set dependencies for a task', { task_id: str('The task ID to add dependencies to'), dependencies: list({ type: 'string' }, 'Array of task IDs that this task depends on') }, ['task_id', 'dependencies']),
    tool('asana_create_subtask', 'create', 'Create a new subtask for an existing task', { parent_task_id: str('The parent task ID'), name: str('Name of the subtask'), notes: str('Description of the subtask') }, ['parent_task_id', 'name']),
  ],
});
