import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { parseConfig, readConfigJson, type LoadedConfig } from '../../src/config/load.js';
import { loadEvalDataset } from '../../src/eval/load-dataset.js';
import { exposureSchema } from '../../src/exposure/config.js';
import { createGateway, LOCAL_PRINCIPAL, type Gateway } from '../../src/gateway.js';
import { toBenchCatalogTool, type BenchCatalog } from './bench-catalog.js';
import { throwIfCut } from './deadline.js';
import { connectInMemory } from './mcp-clients.js';
import { REPO_ROOT } from './paths.js';
import type { BenchPlan } from './plan.js';

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
  readonly search?: {
    readonly listingTokens: number;
    readonly resultTokens: TokenRange;
    readonly perRequestTokens: number;
    readonly queries: number;
  };
  readonly notes: string[];
}

export interface ContextCostResult {
  readonly rows: ContextCostRow[];
}

const DEMO_CONFIG = join(REPO_ROOT, 'examples', 'demo', 'toolscope.json');
const DEMO_SERVERS = ['everything', 'filesystem', 'memory'];
const SEARCH_TOOL = 'search_tools';
const SEARCH_LIMIT = 5;

/**
 * What a client receives per request, in o200k tokens, through a real gateway session (in memory): in `all` mode the
 * full tools/list; in `search` mode the tools/list (meta tools) plus the text of one `search_tools` result.
 * For the demo config (its real servers) and for a catalog of pooled eval tools put straight into the gateway's catalog.
 */
export async function contextCostBench(
  plan: BenchPlan['contextCost'],
  catalog: BenchCatalog,
  signal: AbortSignal,
  result: ContextCostResult,
): Promise<void> {
  const demoQueries = await demoConfigQueries(plan.queries);
  result.rows.push(
    await measure('demo config (everything, filesystem, memory)', demoQueries, signal, async (stateDir, mode) => {
      const raw = (await readConfigJson(DEMO_CONFIG)) as Record<string, unknown>;
      const config = parseConfig({ ...raw, stateDir, logLevel: 'warn', exposure: { mode } }, DEMO_CONFIG);
      return { path: DEMO_CONFIG, baseDir: dirname(DEMO_CONFIG), config };
    }),
  );
  throwIfCut(signal);
  const tools = catalog.tools.slice(0, plan.catalogSize).map(toBenchCatalogTool);
  result.rows.push(
    await measure(
      `${tools.length}-tool pooled catalog`,
      catalog.queries.slice(0, plan.queries),
      signal,
      async (stateDir, mode) => ({
        path: join(stateDir, 'toolscope.json'),
        baseDir: stateDir,
        // Pinning off: a fresh catalog would only be pinned, but the description scan could hide tools from the count.
        config: parseConfig({ stateDir, logLevel: 'warn', pinning: 'off', exposure: { mode } }, 'bench context-cost config'),
      }),
      (gateway) => {
        for (const server of new Set(tools.map((tool) => tool.server))) {
          gateway.catalog.setServerTools(server, tools.filter((tool) => tool.server === server));
        }
      },
    ),
  );
}

type ConfigFor = (stateDir: string, mode: string) => Promise<LoadedConfig>;

async function measure(
  label: string,
  queries: readonly string[],
  signal: AbortSignal,
  configFor: ConfigFor,
  fill?: (gateway: Gateway) => void,
): Promise<ContextCostRow> {
  const notes: string[] = [];
  const all = await withSession(configFor, 'all', fill, async (client) => listingTokens(client));
  throwIfCut(signal);
  let search: ContextCostRow['search'];
  if (exposureSchema.safeParse({ mode: 'search' }).success) {
    search = await withSession(configFor, 'search', fill, async (client) => {
      const listing = await listingTokens(client);
      const perQuery: number[] = [];
      for (const query of queries) {
        throwIfCut(signal);
        const answer = await client.callTool({ name: SEARCH_TOOL, arguments: { query, limit: SEARCH_LIMIT } });
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
  } else {
    notes.push('search mode is not in this build of toolscope: only `all` was measured');
  }
  return { catalog: label, tools: all.tools, allModeTokens: all.tokens, ...(search && { search }), notes };
}

async function withSession<T>(
  configFor: ConfigFor,
  mode: string,
  fill: ((gateway: Gateway) => void) | undefined,
  use: (client: Client) => Promise<T>,
): Promise<T> {
  const stateDir = await mkdtemp(join(tmpdir(), 'toolscope-bench-context-'));
  const gateway = createGateway(await configFor(stateDir, mode));
  try {
    await gateway.start();
    fill?.(gateway);
    await waitForServers(gateway);
    const session = await connectInMemory(gateway, LOCAL_PRINCIPAL);
    try {
      return await use(session.client);
    } finally {
      await session.close();
    }
  } finally {
    await gateway.stop();
    await rm(stateDir, { recursive: true, force: true });
  }
}

/** Every configured server connected (or given up on): the listing is then complete. */
async function waitForServers(gateway: Gateway, timeoutMs = 60_000): Promise<void> {
  const started = Date.now();
  await gateway.catalogNeeded();
  while (gateway.status().servers.some((server) => server.state === 'starting' || server.state === 'idle')) {
    if (Date.now() - started > timeoutMs) throw new Error('the demo servers did not start within 60 s');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function listingTokens(client: Client): Promise<{ tools: number; tokens: number }> {
  const { tools } = await client.listTools();
  return { tools: tools.length, tokens: countTokens(JSON.stringify(tools)) };
}

/** Our dataset's labelled queries whose tools are all on the demo's servers. */
async function demoConfigQueries(count: number): Promise<string[]> {
  const dir = join(REPO_ROOT, 'datasets', 'mcp-catalog');
  const { dataset } = await loadEvalDataset(join(dir, 'catalog.jsonl'), join(dir, 'queries.jsonl'));
  const onDemo = (id: string) => DEMO_SERVERS.some((server) => id.startsWith(`${server}__`));
  return dataset.queries.filter((query) => query.relevant.every(onDemo)).slice(0, count).map((query) => query.query);
}
