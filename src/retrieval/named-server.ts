import { identifierWords } from './document.js';
import { liftedRanking } from './lift.js';
import type { RankingStageParts, Retriever, ScoredTool, SearchOptions } from './types.js';

/** How many of the first stage's best are reordered when a request names the server of some of them. */
export const NAMED_SERVER_CANDIDATES = 30;

/**
 * Lift of a tool whose server the request names, in standard deviations of the first stage's score. Chosen on the
 * eval suites with MiniLM (500 queries each; docs/retrieval.md): hybrid recall@5 on mcp-catalog 83.6 -> 85.3 at 1.5
 * (85.0 at 1 and 2, 85.3 at 3), stabletoolbench +0.3, seal-tools +0.1, the suites without servers untouched; on
 * the queries the eval does not sample, stabletoolbench +0.7 and seal-tools level.
 */
export const NAMED_SERVER_WEIGHT = 1.5;

/**
 * A request that names a server ("say in slack #deploys that …", "anything waiting on me on github?", "in sqlite")
 * wants that server's tools, whose descriptions seldom repeat the server's name: for that first request BM25 ranked
 * four deploy and start tools of other servers before Slack's `post_message`. Among the first stage's best
 * NAMED_SERVER_CANDIDATES, tools whose server's name (all its words, in order: "google calendar" for
 * `google-calendar`) is in the request are lifted by NAMED_SERVER_WEIGHT. Nothing is drawn in: a named server's tool
 * the first stage did not rank that high does not answer the request. When every candidate's server is named, the
 * order stays.
 */
export function namedServerRetriever(parts: RankingStageParts): Retriever {
  return {
    name: parts.base.name,
    async search(query: string, options: SearchOptions): Promise<ScoredTool[]> {
      const pool = await parts.base.search(query, { ...options, limit: Math.max(options.limit, NAMED_SERVER_CANDIDATES) });
      const words = identifierWords(query);
      const namedByServer = new Map<string, boolean>();
      const isNamed = (id: string): boolean => {
        const server = parts.tool(id)?.server ?? '';
        let named = namedByServer.get(server);
        if (named === undefined) namedByServer.set(server, (named = containsPhrase(words, identifierWords(server))));
        return named;
      };
      const lifted = pool.filter((hit) => isNamed(hit.id)).length;
      if (lifted === 0 || lifted === pool.length) return pool.slice(0, options.limit);
      return liftedRanking(pool, pool, (hit) => (isNamed(hit.id) ? NAMED_SERVER_WEIGHT : 0), options.limit);
    },
  };
}

/** True when `phrase` (non-empty) occurs in `words` as consecutive words. */
function containsPhrase(words: readonly string[], phrase: readonly string[]): boolean {
  if (phrase.length === 0) return false;
  for (let start = 0; start + phrase.length <= words.length; start++) {
    if (phrase.every((word, offset) => words[start + offset] === word)) return true;
  }
  return false;
}
