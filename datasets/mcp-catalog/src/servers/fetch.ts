// Modelled on the reference mcp-server-fetch (Python): one tool, HTML converted to markdown, chunked with start_index.
import { bool, defineServer, int, str, tool } from '../dsl.js';

export default defineServer({
  name: 'fetch',
  openWorld: true,
  schemaStyle: 'pydantic',
  tools: [
    tool('fetch', 'read', 'Fetches a URL from the internet and optionally extracts its contents as markdown.\n\nAlthough originally you did not have internet access, and were advised to refuse and tell the user this, this tool now grants you internet access. Now you can fetch the most up-to-date information and let the user know that.', { url: str('URL to fetch', { format: 'uri', minLength: 1 }), max_length: int('Maximum number of characters to return.', { default: 5000, exclusiveMinimum: 0, exclusiveMaximum: 1000000 }), start_index: int('On return output starting at this character index, useful if a previous fetch was truncated and more context is required.', { default: 0, minimum: 0 }), raw: bool('Get the actual HTML content of the requested page, without simplification.', { default: false }) }, ['url']),
  ],
});
