import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { CatalogTool } from '../catalog/tool.js';
import { configObject } from '../config/strict-object.js';
import { CallRefused, refusalResult } from '../pipeline/refusal.js';
import { MAX_QUERY_LENGTH, type FoundTool, type ToolSearch } from '../retrieval/catalog-search.js';
import { matchQuality, requestConfidence, stepsWithoutGoodMatch } from '../retrieval/confidence.js';
import { didYouMeanNames, shownName } from './name-suggestions.js';
import { summarizeParameters } from './schema-summary.js';
import type { MetaTool } from './types.js';

export const SEARCH_TOOLS = 'search_tools';
export const CALL_TOOL = 'call_tool';
export const DEFAULT_SEARCH_LIMIT = 5;
export const MAX_SEARCH_LIMIT = 20;

/** A connected server as search_tools describes it to the model. */
export interface SearchableServer {
  readonly name: string;
  readonly description?: string;
  readonly tools: number;
}

export interface SearchToolsOptions {
  readonly search: ToolSearch;
  /** The session principal's filter: only tools it may call are ranked (before the top-k cut). */
  readonly mayCall: (tool: CatalogTool) => boolean;
  /** Takes the session principal's search token; throws `CallRefused` when it is over its search limit. */
  readonly admit: () => Promise<void>;
  /** What the tool description says is searchable, read each time the tool list is built. */
  readonly servers: () => SearchableServer[];
  /** Told what a search found (dynamic mode adds it to the session's tool list; learning from use notes it). */
  readonly onFound?: (query: string, found: readonly FoundTool[]) => void;
  /** Dynamic mode: found tools join the session's tool list, and the description says so. */
  readonly foundJoinList?: boolean;
}

// Unknown keys are refused, each named: dropped silently, `{query, server}` would search everywhere, and
// `{name, args: {…}}` would call the tool without its arguments.
const searchArguments = configObject({
  query: z
    .string({ error: '`query` must be a string' })
    .trim()
    .min(1, '`query` must describe the action you need')
    .max(MAX_QUERY_LENGTH, `\`query\` must be at most ${MAX_QUERY_LENGTH} characters: describe one action`),
  // Some models send numbers as strings, as they do `arguments`: plain digits are taken as the number they spell.
  limit: z
    .preprocess(
      (value) => (typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value),
      z
        .number({ error: '`limit` must be a number' })
        .int('`limit` must be a whole number')
        .min(1, '`limit` must be at least 1')
        .max(MAX_SEARCH_LIMIT, `\`limit\` must be at most ${MAX_SEARCH_LIMIT}`),
    )
    .default(DEFAULT_SEARCH_LIMIT),
});

const callArguments = configObject({
  name: z.string({ error: '`name` must be the exact tool name from search_tools results' }).min(1),
  // Some models send the arguments as a JSON string; a string holding a JSON object is accepted as that object.
  arguments: z
    .preprocess(
      (value) => (typeof value === 'string' ? parseJsonObject(value) : value),
      z.record(z.string(), z.unknown(), { error: "`arguments` must be an object matching the tool's input schema" }),
    )
    .default({}),
});

const foundToolSchema = {
  type: 'object',
  properties: {
    name: { type: 'string', description: 'Exact name to pass to call_tool' },
    description: { type: 'string' },
    server: { type: 'string' },
    score: { type: 'number', description: 'Relevance; higher is better' },
    confidence: { type: 'number', description: 'Calibrated probability (0..1) that this tool does what was asked' },
    step: { type: 'integer', description: 'For a request of several actions: the action (1-based) this tool is for' },
    inputSchema: { type: 'object', description: 'JSON Schema of the arguments' },
  },
  required: ['name', 'description', 'server', 'score', 'confidence', 'inputSchema'],
} as const;

/** `search_tools`: ranks the catalog for a described action and returns the best tools with their schemas. */
export function searchToolsTool(options: SearchToolsOptions): MetaTool {
  return {
    get definition(): Tool {
      return {
        name: SEARCH_TOOLS,
        title: 'Search tools',
        description: searchDescription(options.servers(), options.foundJoinList ?? false),
        inputSchema: {
          type: 'object',
          properties: {
            query: {
              type: 'string',
              description:
                'The action you need, in plain words: a verb and its object, e.g. "write text to a file", ' +
                '"create a calendar event", "look up a customer by email".',
            },
            limit: {
              type: 'integer',
              minimum: 1,
              maximum: MAX_SEARCH_LIMIT,
              default: DEFAULT_SEARCH_LIMIT,
              description: `How many tools to return (default ${DEFAULT_SEARCH_LIMIT}).`,
            },
          },
          required: ['query'],
          additionalProperties: false,
        },
        outputSchema: {
          type: 'object',
          properties: {
            tools: { type: 'array', items: foundToolSchema },
            match: {
              type: 'string',
              enum: ['good', 'none'],
              description: '"none": no tool matches the request well (best confidence below the calibrated threshold)',
            },
            confidence: { type: 'number', description: 'Confidence of the best result (0 when nothing was found)' },
          },
          required: ['tools', 'match', 'confidence'],
        },
        annotations: { readOnlyHint: true, openWorldHint: false },
      };
    },
    async run(args) {
      const parsed = searchArguments.safeParse(args);
      if (!parsed.success) return toolError(`search_tools: ${problems(parsed.error)}`);
      const { query, limit } = parsed.data;
      try {
        await options.admit();
      } catch (error) {
        if (error instanceof CallRefused) return refusalResult(error);
        throw error;
      }
      const found = await options.search.search(query, { limit, filter: options.mayCall });
      options.onFound?.(query, found);
      const tools = found.map(({ tool, score, confidence, step }) => ({
        name: tool.exposedName,
        description: tool.description,
        server: tool.server,
        score: round(score),
        confidence: round(confidence),
        ...(step !== undefined && { step }),
        inputSchema: tool.inputSchema,
      }));
      const best = requestConfidence(found);
      return {
        content: [{ type: 'text', text: compactResults(query, found) }],
        structuredContent: { tools, match: matchQuality(best), confidence: round(best ?? 0) },
      };
    },
  };
}

export interface CallToolOptions {
  readonly exists: (name: string) => boolean;
  /** For a name no tool has: the tools the caller may call it most likely meant. */
  readonly closestNames: (name: string) => string[];
  /** Told which tool is about to be called (learning from use). */
  readonly onCall?: (name: string) => void;
}

/** `call_tool`: runs a catalog tool by its exact name through the same call pipeline as a direct call. */
export function callToolTool(options: CallToolOptions): MetaTool {
  return {
    definition: {
      name: CALL_TOOL,
      title: 'Call a tool',
      description:
        'Run a tool found with search_tools. `name` is the exact tool name from the search results (names look ' +
        'like "server__tool"); `arguments` is an object matching that tool\'s input schema. Returns the tool\'s own ' +
        'result. If you do not have the exact name yet, call search_tools first.',
      inputSchema: {
        type: 'object',
        properties: {
          name: { type: 'string', description: 'Exact tool name from search_tools results.' },
          arguments: {
            type: 'object',
            description: "The tool's arguments, matching its input schema.",
            additionalProperties: true,
          },
        },
        required: ['name'],
        additionalProperties: false,
      },
    },
    async run(args, scope) {
      const parsed = callArguments.safeParse(args);
      if (!parsed.success) return toolError(`call_tool: ${problems(parsed.error, "put the tool's arguments under `arguments`")}`);
      const { name, arguments: toolArguments } = parsed.data;
      if (!options.exists(name)) {
        return toolError(
          `call_tool: no tool is named "${shownName(name)}"${didYouMeanNames(options.closestNames(name))}. ` +
            'Use the exact name from search_tools results (call search_tools first).',
        );
      }
      options.onCall?.(name);
      return scope.callTool(name, toolArguments);
    },
  };
}

/**
 * Servers search_tools' description names, at most: the description goes with every request, and past a few dozen
 * names it costs thousands of tokens (1,000 tools on 300 servers: 3,100) while telling the model little more.
 */
export const MAX_LISTED_SERVERS = 20;

function searchDescription(servers: readonly SearchableServer[], foundJoinList: boolean): string {
  const total = servers.reduce((sum, server) => sum + server.tools, 0);
  // The servers with the most tools, in their own order.
  const shown = new Set([...servers].sort((a, b) => b.tools - a.tools).slice(0, MAX_LISTED_SERVERS));
  const unlisted = servers.length - shown.size;
  const listed = servers
    .filter((server) => shown.has(server))
    .map((server) => (server.description ? `${server.name} (${firstSentence(server.description)})` : server.name))
    .concat(unlisted > 0 ? [`and ${unlisted} more`] : [])
    .join(', ');
  return (
    `Find the right tool for a task among the ${total} tools of the connected servers${listed ? `: ${listed}` : ''}. ` +
    `${foundJoinList ? 'Most are' : 'They are'} not in your tool list: search whenever a task needs an action you have no tool for, before saying it ` +
    'cannot be done. Describe one action in plain words (e.g. "write text to a file"); for a task with several ' +
    'steps, search once per step. Results give each tool\'s exact name, description, input schema and server, best ' +
    'first. ' +
    (foundJoinList
      ? 'The tools of a good match join your tool list: call them by that exact name (or with call_tool).'
      : 'Then run the tool with call_tool, passing that exact name and arguments matching its input schema.')
  );
}

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

function compactResults(query: string, found: readonly FoundTool[]): string {
  if (found.length === 0) return `No tool matches "${query}". Try other words for the action.`;
  const weak = weakMatchNotice(query, found) ?? [];
  const lines = found.map(({ tool, score, confidence, step }, i) =>
    [
      `${i + 1}. ${tool.exposedName} (server ${tool.server}, score ${score.toFixed(3)}, confidence ${confidence.toFixed(2)}${step ? `, step ${step}` : ''})`,
      `   ${truncate(tool.description, 300)}`,
      `   arguments: ${summarizeParameters(tool.inputSchema)}`,
    ].join('\n'),
  );
  return [
    ...weak,
    `Tools for "${query}", best first${found.some(({ step }) => step) ? ' (one per step in turn)' : ''}:`,
    ...lines,
    'Run one with call_tool: {"name": "<exact name above>", "arguments": {…}}.',
  ].join('\n');
}

/**
 * Says when the match is weak: for a request of several actions, which of them have no tool that clearly fits (even
 * when the others do, so the model does not run a weak tool for that action); else whether the request has none.
 */
function weakMatchNotice(query: string, found: readonly FoundTool[]): [string] | undefined {
  const steps = stepsWithoutGoodMatch(found);
  const stepCount = new Set(found.map(({ step }) => step)).size;
  if (steps.length > 0 && steps.length < stepCount) {
    const named = steps.length === 1 ? `step ${steps[0]}` : `steps ${steps.join(', ')}`;
    return [
      `No good match for ${named} of "${query}": the tools found for ${steps.length === 1 ? 'it' : 'them'} do not clearly fit, ` +
        `while the other steps' do. Check their descriptions; if none fits, search that action on its own in other words, ` +
        'or tell the user no tool does it.',
    ];
  }
  if (matchQuality(requestConfidence(found)) === 'good') return undefined;
  return [
    `No good match for "${query}": none of these closest tools clearly fits. Check their descriptions before ` +
      'calling one; if none fits, try other words, or tell the user no tool fits.',
  ];
}

/** Each problem of the arguments; `strayKeyHint` follows those naming a key the tool does not take. */
function problems(error: z.ZodError, strayKeyHint?: string): string {
  return error.issues
    .map((issue) => (issue.code === 'unrecognized_keys' && strayKeyHint ? `${issue.message}; ${strayKeyHint}` : issue.message))
    .join('; ');
}

function toolError(text: string): CallToolResult {
  return { isError: true, content: [{ type: 'text', text }] };
}

function truncate(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

function firstSentence(text: string): string {
  return truncate(text.split(/(?<=[.!?])\s/)[0] ?? text, 100);
}

function parseJsonObject(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
