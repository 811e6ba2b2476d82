import { z } from 'zod';
import { toolDefinition } from '../exposure/tool-definition.js';
import { MAX_QUERY_LENGTH, type FoundTool } from './catalog-search.js';
import { matchQuality, requestConfidence, type MatchQuality } from './confidence.js';
import { formatTool, TOOL_FORMATS, type ToolDefinition, type ToolFormat } from './tool-formats.js';

export const DEFAULT_ROUTE_LIMIT = 5;

/** The request a route answers, as `POST /v1/route` and `createRouter().route()` both check it. */
export const routeQuery = z
  .string({ error: '`query` must be a string' })
  .trim()
  .min(1, '`query` must describe the task')
  .max(MAX_QUERY_LENGTH, `\`query\` must be at most ${MAX_QUERY_LENGTH} characters`);

export const routeFormat = z.enum(TOOL_FORMATS, { error: `\`format\` must be one of ${TOOL_FORMATS.join(', ')}` }).default('mcp');

/** How many tools: a whole number, at least 1 (the route API also caps it). */
export const routeLimit = z.number({ error: '`limit` must be a number' }).int('`limit` must be a whole number').min(1, '`limit` must be at least 1');

/** One routed tool: which it is, how it ranked, and how likely it does what was asked. */
export interface RouteMatch {
  readonly name: string;
  readonly server: string;
  readonly score: number;
  /** Calibrated probability (0..1) that the tool is one the request needs (`confidence.ts`). */
  readonly confidence: number;
  /** For a request of several actions: the action (1-based) the tool was found for; 0 for the whole request. */
  readonly step?: number;
}

/** What routing a request answers, the same from `POST /v1/route` and from `createRouter().route()`. */
export interface RouteAnswer {
  /** The tools, best first, as definitions in the requested API's format. */
  readonly tools: ToolDefinition[];
  /** The same tools, in the same order, with their scores. */
  readonly matches: RouteMatch[];
  /** `none` when nothing found is likely to do what was asked (`confidence.ts`, GOOD_MATCH). */
  readonly match: MatchQuality;
  /** The request's confidence (0 with no results). */
  readonly confidence: number;
}

export function routeAnswer(found: readonly FoundTool[], format: ToolFormat): RouteAnswer {
  const best = requestConfidence(found);
  return {
    tools: found.map(({ tool }) => formatTool(toolDefinition(tool), format)),
    matches: found.map(({ tool, score, confidence, step }) => ({
      name: tool.exposedName,
      server: tool.server,
      score,
      confidence,
      ...(step !== undefined && { step }),
    })),
    match: matchQuality(best),
    confidence: best ?? 0,
  };
}
