import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { parseConfig, readConfigJson } from '../../src/config/load.js';
import { loadEvalDataset } from '../../src/eval/load-dataset.js';
import { SEARCH_TOOLS } from '../../src/exposure/meta-tools.js';
import { createGateway, LOCAL_PRINCIPAL, type Gateway } from '../../src/gateway.js';
import { toBenchCatalogTool, type BenchCatalog } from './bench-catalog.js';
import { throwIfCut } from './deadline.js';
import type { DenseChoice, EmbedderChoice, TransformersModel } from './embedders.js';
import { connectInMemory } from './mcp-clients.js';
import { REPO_ROOT } from './paths.js';
import type { BenchPlan } from './plan.js';
import { retrievalConfig, SEARCH_LIMIT, startCatalogGateway } from './search-gateway.js';
import type { StateCache } from './state-cache.js';

export interface TokenRange {
  readonly mean: number;
  readonly min: number;
  readonly max: number;
}

export interface ContextCostRow {
  readonly catalog: string;
  readonly tools: number;
  /** `all`: the whole listing rides along with every request. */
  readonly allModeTokens: number;
  /** `search`: the listing (search_tools, call_tool) plus one search result per request. */
  readonly search: {
    readonly listingTokens: number;
    readonly resultTokens: TokenRange;
    readonly perRequestTokens: number;
    readonly queries: number;
  };
  /** Which retrieval picked the search results (their size depends on which tools come back). */
  readonly embedder: string;
}

export interface ContextCostResult {
  readonly rows: ContextCostRow[];
}

const DEMO_CONFIG = join(REPO_ROOT, 'examples', 'demo', 'toolscope.json');
const DEMO_SERVERS = ['everything', 'filesystem', 'memory'];
/** Hybrid with the bench's transformers model: toolscope's default retrieval, with no model download. */
const SEARCH_EMBEDDER: DenseChoice = 'transformers';

type Mode = 'all' | 'search';
/** A gateway in `mode`, ready to serve, and how to stop it. */
type GatewayFor = (mode: Mode, stateDir: string) => Promise<Gateway>;

/**
 * What a client receives per request, in o200k tokens, through a real gateway session (in memory): in `all` mode the
 * full tools/list; in `search` mode the tools/list (the meta tools) plus the text of one `search_tools` result.
 * For the demo config (its real servers) and for a catalog of pooled eval tools put straight into a gateway.
 */
export async function contextCostBench(
  plan: BenchPlan['contextCost'],
  catalog: BenchCatalog,
  states: StateCache,
  signal: AbortSignal,
  result: ContextCostResult,
): Promise<void> {
  result.rows.push(
    await measure('demo config (everything, filesystem, memory)', await demoConfigQueries(plan.queries), SEARCH_EMBEDDER, signal, (mode, stateDir) =>
      demoGateway(mode, stateDir, states.model),
    ),
  );
  throwIfCut(signal);
  const tools = catalog.tools.slice(0, plan.catalogSize).map(toBenchCatalogTool);
  const warm = await states.isComplete(SEARCH_EMBEDDER, tools.length);
  const embedder: EmbedderChoice = warm ? SEARCH_EMBEDDER : 'lexical';
  result.rows.push(
    await measure(`${tools.length.toLocaleString('en')}-tool pooled catalog`, catalog.queries.slice(0, plan.queries), embedder, signal, async (mode, stateDir) => {
      if (warm) await states.seed(SEARCH_EMBEDDER, tools.length, stateDir);
      return startCatalogGateway(tools, stateDir, embedder, states.model, { mode });
    }),
  );
}

/** The demo config as shipped, its servers started for real; state in a temporary folder; searches not limited. */
async function demoGateway(mode: Mode, stateDir: string, model: TransformersModel): Promise<Gateway> {
  const raw = (await readConfigJson(DEMO_CONFIG)) as Record<string, unknown>;
  const config = parseConfig(
    { ...raw, stateDir, logLevel: 'warn', exposure: { mode }, retrieval: retrievalConfig(SEARCH_EMBEDDER, model), rateLimits: { search: 'off' } },
    DEMO_CONFIG,
  );
  const gateway = createGateway({ path: DEMO_CONFIG, baseDir: dirname(DEMO_CONFIG), config });
  try {
    await gateway.start();
    await waitForServers(gateway);
    await (await gateway.toolSearch.start()).idle();
    return gateway;
  } catch (error) {
    await gateway.stop();
    throw error;
  }
}

async function measure(label: string, queries: readonly string[], embedder: EmbedderChoice, signal: AbortSignal, gatewayFor: GatewayFor): Promise<ContextCostRow> {
  const all = await withSession(gatewayFor, 'all', async (client) => listingTokens(client));
  throwIfCut(signal);
  const search = await withSession(gatewayFor, 'search', async (client) => {
    const listing = await listingTokens(client);
    const perQuery: number[] = [];
    for (const query of queries) {
      throwIfCut(signal);
      const answer = await client.callTool({ name: SEARCH_TOOLS, arguments: { query, limit: SEARCH_LIMIT } });
      const text = (answer.content as Array<{ type: string; text?: string }>).map((part) => part.text ?? '').join('\n');
      perQuery.push(countTokens(text));
    }
    const mean = perQuery.reduce((sum, tokens) => sum + tokens, 0) / perQuery.length;
    return {
      listingTokens: listing.tokens,
      resultTokens: { mean, min: Math.min(...perQuery), max: Math.max(...perQuery) },
      perRequestTokens: listing.tokens + mean,
      queries: perQuery.length,
    };
  });
  return { catalog: label, tools: all.tools, allModeTokens: all.tokens, search, embedder };
}

async function withSession<T>(gatewayFor: GatewayFor, mode: Mode, use: (client: Client) => Promise<T>): Promise<T> {
  const stateDir = await mkdtemp(join(tmpdir(), 'toolscope-bench-context-'));
  try {
    const gateway = await gatewayFor(mode, stateDir);
    try {
      const session = await connectInMemory(gateway, LOCAL_PRINCIPAL);
      try {
        return await use(session.client);
      } finally {
        await session.close();
      }
    } finally {
      await gateway.stop();
    }
  } finally {
    await rm(stateDir, { recursive: true, force: true });
  }
}

/** Every configured server connected (or given up on): the listing is then complete. */
async function waitForServers(gateway: Gateway, timeoutMs = 60_000): Promise<void> {
  const started = Date.now();
  await gateway.catalogNeeded();
  while (gateway.status().servers.some((server) => server.state === 'starting' || server.state === 'idle')) {
    if (Date.now() - started > timeoutMs) throw new Error(`the demo servers did not start within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The whole tools/list, every page of it, as a client following nextCursor reads it into its context. */
async function listingTokens(client: Client): Promise<{ tools: number; tokens: number }> {
  const tools: Tool[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.listTools(cursor === undefined ? {} : { cursor });
    tools.push(...page.tools);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return { tools: tools.length, tokens: countTokens(JSON.stringify(tools)) };
}

/** Our dataset's labelled queries whose tools are all on the demo's servers. */
async function demoConfigQueries(count: number): Promise<string[]> {
  const dir = join(REPO_ROOT, 'datasets', 'mcp-catalog');
  const { dataset } = await loadEvalDataset(join(dir, 'catalog.jsonl'), join(dir, 'queries.jsonl'));
  const onDemo = (id: string) => DEMO_SERVERS.some((server) => id.startsWith(`${server}__`));
  return dataset.queries.filter((query) => query.relevant.every(onDemo)).slice(0, count).map((query) => query.query);
}
