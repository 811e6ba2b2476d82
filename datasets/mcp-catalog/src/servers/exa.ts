// Modelled on exa-labs/exa-mcp-server: neural web search, crawling, company research and deep research jobs.
import { defineServer, int, oneOf, str, tool } from '../dsl.js';

export default defineServer({
  name: 'exa',
  openWorld: true,
  schemaStyle: 'zod',
  tools: [
    tool('web_search_exa', 'read', 'Search the web using Exa AI - performs real-time web searches and can scrape content from specific URLs. Supports configurable result counts and returns the content from the most relevant websites.', { query: str('Search query'), numResults: int('Number of search results to return (default: 5)'), type: oneOf(['auto', 'fast', 'deep'], 'Search type'), livecrawl: oneOf(['fallback', 'preferred'], 'Live crawl mode') }, ['query']),
    tool('get_code_context_exa', 'read', 'Search and get relevant context for any programming task. Exa-code has the highest quality and freshest context for libraries, SDKs, and APIs. Use this tool for ANY question or task related to programming.', { query: str('Search query to find relevant context for APIs, Libraries, and SDKs. For example, \'React useState hook examples\', \'Python pandas dataframe filtering\''), tokensNum: int('Number of tokens to return (1000-50000). Default is 5000 tokens.', { minimum: 1000, maximum: 50000, default: 5000 }) }, ['query']),
    tool('company_research_exa', 'read', 'Research companies using Exa AI - finds comprehensive information about businesses, organizations, and corporations. Provides insights into company operations, news, financial information, and industry analysis.', { companyName: str('Name of the company to research'), numResults: int('Number of search results to return (default: 5)') }, ['companyName']),
    tool('crawling_exa', 'read', 'Extract and crawl content from specific URLs using Exa AI - retrieves full text content, metadata, and structured information from web pages.', { url: str('URL to crawl and extract content from'), maxCharacters: int('Maximum characters to extract (default: 3000)') }, ['url']),
    tool('linkedin_search_exa', 'read', 'Search LinkedIn profiles and companies using Exa AI - finds professional profiles, company pages, and business-related content on LinkedIn.', { query: str('LinkedIn search query (e.g., person name, company, job title)'), searchType: oneOf(['profiles', 'companies', 'all'], 'Type of LinkedIn content to search (default: all)'), numResults: int('Number of LinkedIn results to return (default: 5)') }, ['query']),
    tool('deep_researcher_start', 'create', 'Start a comprehensive AI-powered deep research task for complex queries. This tool initiates an intelligent agent that performs extensive web searches, crawls relevant pages, analyzes information, and synthesizes findings into a detailed research report.', { instructions: str('Complex research question or detailed instructions for the AI researcher.'), model: oneOf(['exa-research', 'exa-research-pro'], 'Research model: \'exa-research\' (faster, 15-45s, good for most queries) or \'exa-research-pro\' (more comprehensive, 45s-2min, for complex topics).') }, ['instructions']),
    tool('deep_researcher_check', 'read', 'Check the status and retrieve results of a deep research task. Keep calling this tool until status is \'completed\'.', { taskId: str('The task ID returned from deep_researcher_start tool') }, ['taskId']),
  ],
});
