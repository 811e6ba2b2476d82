import { describe, expect, it } from 'vitest';
import { serverTable } from '../src/cli/server-table.js';
import type { ServerStatus } from '../src/downstream/supervisor.js';

const server = (name: string, lastError: string): ServerStatus => ({
  name,
  transport: 'http',
  startup: 'eager',
  state: 'backoff',
  tools: 0,
  restarts: 2,
  lastError,
});

describe('the servers table of list and status', () => {
  it('keeps each server on one line: an error of many lines (an HTML page a server answered with) is joined and cut short', () => {
    const page = `Streamable HTTP error: Error POSTing to endpoint: <!DOCTYPE html>\n<html>\n  <head><title>404</title></head>\n<body>\n${'<p>Not Found</p>\n'.repeat(40)}</body>\n</html>`;
    const table = serverTable([server('remote', page), server('local', 'the server process exited with code 3')]);
    const lines = table.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(/^remote\s+backoff\s+http\s+0\s+2\s+last error: Streamable HTTP error: Error POSTing to endpoint: <!DOCTYPE html> <html> <head>/);
    expect(lines[1]).toMatch(/… \(\d+ more characters\)$/);
    expect(lines[1]!.length).toBeLessThan(320);
    expect(lines[2]).toMatch(/last error: the server process exited with code 3$/);
  });
});
