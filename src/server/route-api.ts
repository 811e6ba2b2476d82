import type { ServerResponse } from 'node:http';
import type { Gateway } from '../gateway.js';
import { configObject } from '../config/strict-object.js';
import { MAX_SEARCH_LIMIT } from '../exposure/meta-tools.js';
import { headerTraceContext, traced } from '../observability/tracing.js';
import type { Principal } from '../policy/auth/principal.js';
import { CallRefused, REFUSED_REQUEST_CODE, refusalText } from '../pipeline/refusal.js';
import type { SearchEntry } from '../policy/ratelimit/search-limit.js';
import { DEFAULT_ROUTE_LIMIT, routeAnswer, routeFormat, routeLimit, routeQuery } from '../retrieval/route-answer.js';
import { authenticateRequest } from './http-auth.js';
import type { HttpRoute } from './http.js';
import { HttpError, readJsonBody, sendJson } from './http-util.js';

// Unknown keys are refused, as `createRouter().route()` refuses them: a misspelt `format` must not answer in MCP format.
const routeRequest = configObject({
  query: routeQuery,
  limit: routeLimit.max(MAX_SEARCH_LIMIT, `\`limit\` must be at most ${MAX_SEARCH_LIMIT}`).default(DEFAULT_ROUTE_LIMIT),
  format: routeFormat,
});

/**
 * `POST /v1/route` with `{"query": "...", "limit": 5, "format": "mcp" | "openai" | "anthropic"}`: the tools most
 * relevant to the query, among those the authenticated caller may call, as definitions for that API. For client
 * applications that choose tools before calling their LLM; calls still go through MCP and the pipeline.
 * Over the caller's search limit: 429 with `Retry-After`.
 */
export function routeApi(gateway: Gateway): HttpRoute {
  return {
    method: 'POST',
    path: '/v1/route',
    async handle(req, res) {
      const principal = await authenticateRequest(gateway, req, res);
      // Traced once authenticated, as MCP requests are: a caller without a valid token adds no span.
      const request = { method: 'POST', route: '/v1/route', parent: headerTraceContext(req.headers), attributes: { principal: principal.name } };
      await traced(gateway.tracing, request, async (trace) => {
        const parsed = routeRequest.safeParse(await readJsonBody(req));
        if (!parsed.success) {
          const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`);
          throw new HttpError(400, -32602, `invalid route request: ${problems.join('; ')}`);
        }
        const { query, limit, format } = parsed.data;
        await admitSearch(gateway, principal, 'route', res);
        await gateway.catalogNeeded();
        const found = await gateway.toolSearch.search(query, {
          limit,
          filter: (tool) => gateway.policy.access.mayCall(principal, tool),
        });
        const answer = routeAnswer(found, format);
        trace?.annotate({ search: { tools: found.length, match: answer.match, confidence: answer.confidence } });
        sendJson(res, 200, answer);
      });
    },
  };
}

/** Takes a search from `principal`'s search limit; over it, a 429 with `Retry-After`. */
export async function admitSearch(gateway: Gateway, principal: Principal, via: SearchEntry, res: ServerResponse): Promise<void> {
  try {
    await gateway.policy.searchLimit.admit(principal, via);
  } catch (error) {
    if (!(error instanceof CallRefused)) throw error;
    const retryAfter = error.details.retryAfterSeconds;
    if (retryAfter !== undefined) res.setHeader('retry-after', String(retryAfter));
    throw new HttpError(429, REFUSED_REQUEST_CODE, refusalText(error, 'search'), { cause: error });
  }
}
