// Modelled on the reference mcp-server-git (Python): git_* tools on a local repo_path.
import { defineServer, int, list, str, tool } from '../dsl.js';

const repoPath = { repo_path: str('Path to the Git repository') };

export default defineServer({
  name: 'git',
  openWorld: false,
  schemaStyle: 'pydantic',
  tools: [
    tool('git_status', 'read', 'Shows the working tree status', repoPath, ['repo_path']),
    tool('git_diff_unstaged', 'read', 'Shows changes in the working directory that are not yet staged', { ...repoPath, context_lines: int('Number of context lines', { default: 3 }) }, ['repo_path']),
    tool('git_diff_staged', 'read', 'Shows changes that are staged for commit', { ...repoPath, context_lines: int('Number of context lines', { default: 3 }) }, ['repo_path']),
    tool('git_diff', 'read', 'Shows differences between branches or commits', { ...repoPath, target: str('Branch or commit to diff against'), context_lines: int('Number of context lines', { default: 3 }) }, ['repo_path', 'target']),
    tool('git_commit', 'create', 'Records changes to the repository', { ...repoPath, message: str('Commit message') }, ['repo_path', 'message']),
    tool('git_add', 'update', 'Adds file contents to the staging area', { ...repoPath, files: list({ type: 'string' }, 'Files to stage') }, ['repo_path', 'files']),
    tool('git_reset', 'update', 'Unstages all staged changes', repoPath, ['repo_path']),
    tool('git_log', 'read', 'Shows the commit logs', { ...repoPath, max_count: int('Maximum number of commits', { default: 10 }), start_timestamp: str('Start timestamp for filtering commits. Accepts ISO 8601 format or relative dates (e.g., \'2 weeks ago\')'), end_timestamp: str('End timestamp for filtering commits') }, ['repo_path']),
    tool('git_create_branch', 'create', 'Creates a new branch from an optional base branch', { ...repoPath, branch_name: str('Name of the new branch'), base_branch: str('Branch to start from') }, ['repo_path', 'branch_name']),
    tool('git_checkout', 'update', 'Switches branches', { ...repoPath, branch_name: str('Branch to switch to') }, ['repo_path', 'branch_name']),
    tool('git_show', 'read', 'Shows the contents of a commit', { ...repoPath, revision: str('Commit, tag or branch to show') }, ['repo_path', 'revision']),
    tool('git_branch', 'read', 'List Git branches', { ...repoPath, branch_type: str('Whether to list local branches (\'local\'), remote branches (\'remote\') or all branches(\'all\').'), contains: str('The commit sha that branch should contain'), not_contains: str('The commit sha that branch should NOT contain') }, ['repo_path', 'branch_type']),
  ],
});
