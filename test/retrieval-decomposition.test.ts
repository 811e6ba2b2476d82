import { describe, expect, it } from 'vitest';
import { decomposeQuery, decomposingRetriever, interleave, MIN_STEP_CONFIDENCE } from '../src/retrieval/query-decomposition.js';
import type { Retriever, ScoredTool } from '../src/retrieval/types.js';

describe('decomposeQuery', () => {
  it.each([
    ['find the file, then email it to Bob', ['find the file', 'email it to Bob']],
    ['read the config file and then restart the server; after that notify the team', ['read the config file', 'restart the server', 'notify the team']],
    ['Find papers on chemistry. Then, summarise the best one.', ['Find papers on chemistry', 'summarise the best one']],
    ['find the quarterly report and email it to Bob', ['find the quarterly report', 'email it to Bob']],
    ['I want to invest wisely and also learn about budgeting', ['I want to invest wisely', 'learn about budgeting']],
    ['open the report, then print', ['open the report', 'print']],
    ['look up who is on call in pagerduty and ping them on slack', ['look up who is on call in pagerduty', 'ping them on slack']],
    ['check sentry for the newest crash and file a jira bug with the stack trace', ['check sentry for the newest crash', 'file a jira bug with the stack trace']],
    ['stage all my changes and commit them', ['stage all my changes', 'commit them']],
  ])('splits %j into its actions', (query, steps) => {
    expect(decomposeQuery(query)).toEqual(steps);
  });

  it.each([
    'write text to a file',
    'search and replace text in a file',
    'get the weather in Paris and London',
    'remember that Alice works at Acme',
    'list the folder and file names under src',
    'show the open issues and review comments of PR 12',
    'I want the latest news about Tesla and how it impacted the stock market',
    'tell me about the origins, cultural developments, and significant events of ancient Rome',
  ])(
    'keeps the single action %j whole',
    (query) => {
      expect(decomposeQuery(query)).toEqual([query]);
    },
  );
});

describe('interleave', () => {
  it('takes the first of each ranking, then the second of each, without repeats', () => {
    const hit = (id: string, score = 1) => ({ id, score });
    expect(interleave([[hit('a'), hit('b'), hit('c')], [hit('x'), hit('a'), hit('y')]], 4).map((t) => t.id)).toEqual([
      'a',
      'x',
      'b',
      'c',
    ]);
  });
});

describe('decomposingRetriever', () => {
  const seen: string[] = [];
  /** Ranks four tools by how many words of their names the query says. */
  const byWord: Retriever = {
    name: 'words',
    async search(query, options) {
      seen.push(query);
      const tools = ['find_file', 'find_folder', 'send_email', 'delete_file'].filter((id) => options.filter?.(id) ?? true);
      const words = query.toLowerCase().split(/\W+/);
      return tools
        .map((id) => ({ id, score: id.split('_').filter((part) => words.includes(part)).length }))
        .filter((tool) => tool.score > 0)
        .sort((a, b) => b.score - a.score)
        .slice(0, options.limit);
    },
  };
  const query = 'find the file and folder, then send it to Bob';

  it('retrieves for the whole request and per action, so each action gets a place', async () => {
    const options = { limit: 2, filter: (id: string) => id !== 'delete_file' };
    // The whole request alone fills both places with the first action's tools.
    expect((await byWord.search(query, options)).map((hit) => hit.id)).toEqual(['find_file', 'find_folder']);
    seen.length = 0;

    const hits = await decomposingRetriever(byWord, () => 1).search(query, options);
    expect(seen).toEqual([query, 'find the file and folder', 'send it to Bob']);
    expect(hits.map((hit) => hit.id)).toEqual(['find_file', 'send_email']);
    // The documented order: the whole request's best, then each step's best in step order (a tool already taken is
    // not repeated); each result names the step whose own search ranks it highest.
    expect(hits.map((hit) => hit.step)).toEqual([1, 2]);
  });

  it('gives a step no place when none of its tools is likely to be one the request needs (context, not an action)', async () => {
    const options = { limit: 3 };
    const unsure = (hit: ScoredTool) => (hit.id === 'send_email' ? MIN_STEP_CONFIDENCE / 2 : 0.9);
    const context = 'find the file and folder. My email is slow';
    const hits = await decomposingRetriever(byWord, unsure).search(context, options);
    // The whole request's ranking alone fills the places, in its order; no result serves the step left out.
    expect(hits.map((hit) => hit.id)).toEqual(['find_file', 'find_folder', 'send_email']);
    expect(hits.map((hit) => hit.step)).toEqual([1, 1, 0]);
    const sure = await decomposingRetriever(byWord, () => MIN_STEP_CONFIDENCE).search(context, options);
    expect(sure.map((hit) => hit.id)).toEqual(['find_file', 'send_email', 'find_folder']);
    expect(sure.map((hit) => hit.step)).toEqual([1, 2, 1]);
    // A step that opens with an action verb is an action, however unsure its tools ("send it to Bob").
    const action = await decomposingRetriever(byWord, unsure).search(query, options);
    expect(action.map((hit) => hit.step)).toEqual([1, 2, 1]);
  });
});
