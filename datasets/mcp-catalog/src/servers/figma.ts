// Modelled on GLips/Figma-Context-MCP and Figma's Dev Mode MCP server.
import { defineServer, int, list, num, str, tool } from '../dsl.js';

export default defineServer({
  name: 'figma',
  openWorld: true,
  schemaStyle: 'zod',
  tools: [
    tool('get_figma_data', 'read', 'When the nodeId cannot be obtained, obtain the layout information about the entire Figma file', { fileKey: str('The key of the Figma file to fetch, often found in a provided URL like figma.com/(file|design)/<fileKey>/...'), nodeId: str('The ID of the node to fetch, often found as URL parameter node-id=<nodeId>, always use if provided'), depth: int('OPTIONAL. Do NOT use unless explicitly requested by the user. Controls how many levels deep to traverse the node tree') }, ['fileKey']),
    tool('download_figma_images', 'read', 'Download SVG and PNG images used in a Figma file based on the IDs of image or icon nodes', { fileKey: str('The key of the Figma file containing the node'), nodes: list({ type: 'object', properties: { nodeId: { type: 'string' }, fileName: { type: 'string' } }, required: ['nodeId', 'fileName'] }, 'The nodes to fetch as images'), localPath: str('The absolute path to the directory where images are stored in the project'), pngScale: num('Export scale for PNG images. Optional, defaults to 2 if not specified.') }, ['fileKey', 'nodes', 'localPath']),
    tool('get_code', 'read', 'Generate UI code for a given node or the currently selected node in the Figma desktop app.', { nodeId: str('The ID of the node in the Figma document, eg. "123:456"'), clientLanguages: str('A comma separated list of programming languages used by the client in the current context'), clientFrameworks: str('A comma separated list of frameworks used by the client, e.g. react,tailwind') }),
    tool('get_variable_defs', 'read', 'Get the variables (design tokens: colors, spacing, typography) used in a node or the current selection', { nodeId: str('The ID of the node') }),
    tool('get_screenshot', 'read', 'Generate a screenshot for a given node or the currently selected node in the Figma desktop app', { nodeId: str('The ID of the node') }),
    tool('get_comments', 'read', 'List the comments on a Figma file', { fileKey: str('The key of the Figma file') }, ['fileKey']),
    tool('post_comment', 'create', 'Post a comment on a Figma file, optionally pinned to a node', { fileKey: str('The key of the Figma file'), message: str('Comment text'), nodeId: str('Node to pin the comment to') }, ['fileKey', 'message']),
  ],
});
