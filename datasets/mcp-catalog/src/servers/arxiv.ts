// Modelled on blazickjp/arxiv-mcp-server (Python): search, download and read papers.
import { defineServer, int, list, oneOf, str, tool } from '../dsl.js';

export default defineServer({
  name: 'arxiv',
  openWorld: true,
  schemaStyle: 'plain',
  tools: [
    tool('search_papers', 'read', 'Search for papers on arXiv with advanced filtering', { query: str('Search query; supports field prefixes like ti:, au:, abs:'), max_results: int('Maximum results', { default: 10 }), date_from: str('Only papers submitted after this date (YYYY-MM-DD)'), date_to: str('Only papers submitted before this date (YYYY-MM-DD)'), categories: list({ type: 'string' }, 'arXiv categories, e.g. cs.LG, cs.CL'), sort_by: oneOf(['relevance', 'date'], 'Sort order', { default: 'relevance' }) }, ['query']),
    tool('download_paper', 'create', 'Download a paper and create a resource for it', { paper_id: str('The arXiv ID of the paper to download (e.g. 2401.12345)'), check_status: { type: 'boolean', default: false, description: 'If true, only check conversion status without downloading' } }, ['paper_id']),
    tool('list_papers', 'read', 'List all existing papers available as resources', {}),
    tool('read_paper', 'read', 'Read the full content of a stored paper in markdown format', { paper_id: str('The arXiv ID of the paper to read') }, ['paper_id']),
  ],
});
