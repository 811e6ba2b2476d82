import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Gateway } from '../gateway.js';
import { authenticateAdmin } from './http-auth.js';
import type { HttpRoute } from './http.js';
import { HttpError } from './http-util.js';
import { isLoopbackHost } from './loopback.js';

/** `GET /metrics`: Prometheus text format, for whom `metrics.access` allows (see observability/config.ts). */
export function metricsRoutes(gateway: Gateway): HttpRoute[] {
  const access = gateway.loaded.config.metrics.access;
  if (access === 'off') return [];
  return [
    {
      method: 'GET',
      path: '/metrics',
      async handle(req, res) {
        await admitScraper(gateway, access, req, res);
        const { contentType, body } = await gateway.metrics.exposition();
        res.writeHead(200, { 'content-type': contentType });
        res.end(body);
      },
    },
  ];
}

async function admitScraper(gateway: Gateway, access: 'loopback' | 'admin' | 'open', req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (access === 'admin') {
    await authenticateAdmin(gateway, req, res);
    return;
  }
  // The peer address, not the Host header, which any client may write.
  const peer = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
  if (access === 'loopback' && !isLoopbackHost(peer)) {
    throw new HttpError(403, -32001, `forbidden: /metrics answers requests from this machine only (metrics.access is "loopback"; "admin" takes an admin token)`);
  }
}
