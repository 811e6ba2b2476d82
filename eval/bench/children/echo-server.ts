/**
 * The trivial downstream of the forwarding and throughput benchmarks: one read-only `echo` tool, as cheap as an MCP
 * tool gets, so what is measured is the transport and toolscope. Serves stdio by default; with `--http` a stateful
 * Streamable HTTP endpoint on 127.0.0.1 (port 0), announced as `{"type":"ready","url":…}` on stdout.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { ECHO_TOOL } from '../downstream.js';
import { onParentGone, runChild, send } from './protocol.js';

function echoServer(): McpServer {
  const server = new McpServer({ name: 'bench-echo', version: '1.0.0' });
  server.registerTool(
    ECHO_TOOL,
    {
      description: 'Returns the given text unchanged',
      inputSchema: { text: z.string().describe('Text to return') },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    ({ text }) => ({ content: [{ type: 'text', text }] }),
  );
  return server;
}

async function serveHttp(): Promise<void> {
  const sessions = new Map<string, StreamableHTTPServerTransport>();
  const http = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      let body: unknown;
      try {
        body = chunks.length > 0 ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : undefined;
      } catch {
        res.writeHead(400).end('request body is not JSON');
        return;
      }
      const id = req.headers['mcp-session-id'];
      const existing = typeof id === 'string' ? sessions.get(id) : undefined;
      if (existing) {
        void existing.handleRequest(req, res, body);
        return;
      }
      if (req.method !== 'POST' || !isInitializeRequest(body)) {
        res.writeHead(400).end('unknown session');
        return;
      }
      const transport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (sessionId) => void sessions.set(sessionId, transport),
      });
      transport.onclose = () => void (transport.sessionId && sessions.delete(transport.sessionId));
      void echoServer()
        .connect(transport)
        .then(() => transport.handleRequest(req, res, body));
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  send('ready', { url: `http://127.0.0.1:${port}/mcp`, pid: process.pid });
  onParentGone(() => process.exit(0));
}

runChild(async () => {
  if (process.argv.includes('--http')) await serveHttp();
  else await echoServer().connect(new StdioServerTransport());
});
