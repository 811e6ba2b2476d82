// Modelled on community Bitbucket Cloud MCP servers (e.g. MatanYemini/bitbucket-mcp): workspace/repo_slug addressing.
import { defineServer, int, list, oneOf, str, tool } from '../dsl.js';

const repo = { workspace: str('Bitbucket workspace name'), repo_slug: str('Repository slug') };
const pr = { ...repo, pull_request_id: str('Pull request ID') };

export default defineServer({
  name: 'bitbucket',
  openWorld: true,
  schemaStyle: 'zod',
  tools: [
    tool('listRepositories', 'read', 'List Bitbucket repositories', { workspace: str('Bitbucket workspace name'), limit: int('Maximum number of repositories to return') }),
    tool('getRepository', 'read', 'Get repository details', repo, ['workspace', 'repo_slug']),
    tool('getPullRequests', 'read', 'Get pull requests for a repository', { ...repo, state: oneOf(['OPEN', 'MERGED', 'DECLINED', 'SUPERSEDED'], 'Pull request state'), limit: int('Maximum number of pull requests to return') }, ['workspace', 'repo_slug']),
    tool('getPullRequest', 'read', 'Get details for a specific pull request', pr, ['workspace', 'repo_slug', 'pull_request_id']),
    tool('createPullRequest', 'create', 'Create a new pull request', { ...repo, title: str('Pull request title'), description: str('Pull request description'), sourceBranch: str('Source branch name'), targetBranch: str('Target branch name'), reviewers: list({ type: 'string' }, 'List of reviewer usernames') }, ['workspace', 'repo_slug', 'title', 'description', 'sourceBranch', 'targetBranch']),
    tool('updatePullRequest', 'update', 'Update a pull request', { ...pr, title: str('New pull request title'), description: str('New pull request description') }, ['workspace', 'repo_slug', 'pull_request_id']),
    tool('approvePullRequest', 'update', 'Approve a pull request', pr, ['workspace', 'repo_slug', 'pull_request_id']),
    tool('declinePullRequest', 'update', 'Decline a pull request', { ...pr, message: str('Reason for declining') }, ['workspace', 'repo_slug', 'pull_request_id']),
    tool('mergePullRequest', 'update', 'Merge a pull request', { ...pr, message: str('Merge commit message'), strategy: oneOf(['merge-commit', 'squash', 'fast-forward'], 'Merge strategy') }, ['workspace', 'repo_slug', 'pull_request_id']),
    tool('addPullRequestComment', 'create', 'Add a comment to a pull request (general or inline)', { ...pr, content: str('Comment content in markdown format'), inline: { type: 'object', description: 'Inline comment information for commenting on specific lines', properties: { path: str('Path to the file in the repository'), to: int('Line number in the new version of the file') }, required: ['path'] } }, ['workspace', 'repo_slug', 'pull_request_id', 'content']),
    tool('getPullRequestDiff', 'read', 'Get the diff for a pull request', pr, ['workspace', 'repo_slug', 'pull_request_id']),
    tool('listBranches', 'read', 'List branches in a repository', { ...repo, query: str('Filter branches by name (BBQL)') }, ['workspace', 'repo_slug']),
    tool('listPipelineRuns', 'read', 'List pipeline runs for a repository', { ...repo, status: oneOf(['PENDING', 'IN_PROGRESS', 'SUCCESSFUL', 'FAILED', 'ERROR', 'STOPPED'], 'Filter pipelines by status'), target_branch: str('Filter pipelines by target branch') }, ['workspace', 'repo_slug']),
    tool('getPipelineStepLogs', 'read', 'Get logs for a specific step of a pipeline run', { ...repo, pipeline_uuid: str('Pipeline UUID'), step_uuid: str('Step UUID') }, ['workspace', 'repo_slug', 'pipeline_uuid', 'step_uuid']),
    tool('runPipeline', 'execute', 'Trigger a new pipeline run', { ...repo, target: { type: 'object', description: 'Pipeline target configuration', properties: { ref_type: oneOf(['branch', 'tag', 'bookmark', 'named_branch'], 'Reference type'), ref_name: str('Reference name') }, required: ['ref_type', 'ref_name'] } }, ['workspace', 'repo_slug', 'target']),
  ],
});
