import { describe, expect, it } from 'vitest';
import { denseText, identifierWords, toSearchDocument } from '../src/retrieval/document.js';
import type { IndexableTool } from '../src/retrieval/types.js';

const createIssue: IndexableTool = {
  id: 'github__create_issue',
  server: 'github',
  name: 'create_issue',
  description: 'Open a new issue in a GitHub repository.',
  inputSchema: {
    type: 'object',
    properties: { repoName: { type: 'string', description: 'owner/name' }, labels: { type: 'array', items: { type: 'string' } } },
  },
  hash: 'h',
};

describe('a tool as search text', () => {
  it('splits identifiers in every convention into lower-case words', () => {
    expect(identifierWords('read_file')).toEqual(['read', 'file']);
    expect(identifierWords('readFile')).toEqual(['read', 'file']);
    expect(identifierWords('HTTPRequest-v2')).toEqual(['http', 'request', 'v2']);
    expect(identifierWords('ns__get.item')).toEqual(['ns', 'get', 'item']);
  });

  it('gives the dense embedder name, description, parameters and server as one passage', () => {
    expect(denseText(toSearchDocument(createIssue))).toBe(
      'create issue: Open a new issue in a GitHub repository.\nParameters: repo name: owner/name; labels\nServer: github',
    );
  });

  it('leaves the server out of the passage of a tool that belongs to none (an eval catalog without servers)', () => {
    const text = denseText(toSearchDocument({ ...createIssue, server: '' }));
    expect(text).not.toContain('Server');
    expect(text).toBe('create issue: Open a new issue in a GitHub repository.\nParameters: repo name: owner/name; labels');
  });
});
