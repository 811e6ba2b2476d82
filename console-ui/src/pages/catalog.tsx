import { useEffect, useState } from 'preact/hooks';
import type { ConsoleSession } from '../../../src/console/api/servers.js';
import type { SearchResult } from '../../../src/console/api/catalog.js';
import { post } from '../api.js';
import { Badge, Empty, ErrorNote } from '../components.js';

/** Typing pauses this long before the search runs: one search per pause, not one per key. */
const DEBOUNCE_MS = 150;

/** What a score is, by the retriever that gave it: scores rank the tools of one search, not across searches. */
const SCORE_MEANINGS: Record<string, string> = {
  hybrid: 'Scores blend BM25 and embedding similarity (each side as z-scores over its candidates, 0.7 / 0.3).',
  bm25: 'Scores are BM25 relevance (no embedder: lexical search only).',
  dense: 'Scores are cosine similarities of the query and tool embeddings.',
};

const CLASS_TONES: Record<string, string> = { read: 'good', write: 'warn', destructive: 'bad', 'open-world': 'info' };

/**
 * Search as you type, answered by the same search as `search_tools` and the route API, as the chosen principal's
 * client would get it: the ranking, the scores, and what was indexed of each tool. For writing better descriptions.
 */
export function CatalogPage({ session }: { session: ConsoleSession }) {
  const [principal, setPrincipal] = useState(session.principals.includes(session.user) ? session.user : (session.principals[0] ?? session.user));
  const [query, setQuery] = useState('');
  const [limit, setLimit] = useState(10);
  const [result, setResult] = useState<SearchResult | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const controller = new AbortController();
    const timer = setTimeout(
      () =>
        post<SearchResult>('search', { query, principal, limit }, controller.signal).then(
          (found) => {
            setResult(found);
            setError(null);
          },
          (failure: Error) => !controller.signal.aborted && setError(failure.message),
        ),
      query.trim() === '' ? 0 : DEBOUNCE_MS,
    );
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [query, principal, limit]);

  const scores = (result?.matches ?? []).map((m) => m.score).filter((s): s is number => s !== null);
  const top = Math.max(...scores);
  const bottom = Math.min(0, ...scores);
  return (
    <section>
      <div class="toolbar">
        <input
          class="search"
          type="search"
          placeholder="Describe a task, as a client would ask: “write text to a file”"
          value={query}
          onInput={(event) => setQuery(event.currentTarget.value)}
          aria-label="search query"
          autofocus
        />
        <label>
          as{' '}
          <select value={principal} onChange={(event) => setPrincipal(event.currentTarget.value)} aria-label="principal">
            {session.principals.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </label>
        <label>
          top{' '}
          <select value={String(limit)} onChange={(event) => setLimit(Number(event.currentTarget.value))} aria-label="limit">
            {[5, 10, 20].map((n) => (
              <option key={n} value={String(n)}>
                {n}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ErrorNote error={error} />
      {result && (
        <p class="muted small" data-testid="search-summary">
          {result.query === ''
            ? `${result.callableTools} of ${result.catalogTools} tools callable by ${result.principal}, by name`
            : `${result.matches.length} best of the ${result.callableTools} tools ${result.principal} may call (catalog: ${result.catalogTools}) · ${result.retriever} · ${result.latencyMs} ms. ${SCORE_MEANINGS[result.retriever ?? ''] ?? ''}`}
        </p>
      )}
      {result && result.matches.length === 0 && <Empty>No tool matches{result.callableTools === 0 ? `: ${result.principal} may call none` : ''}.</Empty>}
      {result && result.matches.length > 0 && (
        <table class="grid results" data-testid="search-results" data-query={result.query} data-principal={result.principal}>
          <thead>
            <tr>
              <th class="num">#</th>
              <th>Tool</th>
              <th class="score-col">Score</th>
              <th>What the search indexed</th>
            </tr>
          </thead>
          <tbody>
            {result.matches.map((match, index) => (
              <tr key={match.name} data-tool={match.name}>
                <td class="num">{index + 1}</td>
                <td>
                  <div class="strong mono">{match.name}</div>
                  {match.title && <div class="muted small">{match.title}</div>}
                  <div class="tags">
                    {match.classes.map((c) => (
                      <Badge key={c} tone={CLASS_TONES[c] ?? 'muted'}>
                        {c}
                      </Badge>
                    ))}
                  </div>
                </td>
                <td class="score-col">
                  {match.score === null ? (
                    <span class="muted">-</span>
                  ) : (
                    <>
                      <span class="mono" data-field="score">
                        {match.score.toFixed(3)}
                      </span>
                      <div class="bar">
                        <div class="bar-fill" style={{ width: `${top > bottom ? Math.max(2, ((match.score - bottom) / (top - bottom)) * 100) : 100}%` }} />
                      </div>
                    </>
                  )}
                </td>
                <td class="wrap">
                  <div>{match.description || <span class="muted">(no description)</span>}</div>
                  {match.serverDescription && (
                    <div class="muted small">
                      server {match.server}: {match.serverDescription}
                    </div>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
