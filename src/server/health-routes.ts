import type { Gateway } from '../gateway.js';
import type { HttpRoute } from './http.js';
import { sendJson } from './http-util.js';

/**
 * Probes for supervisors and load balancers, without a token (the HTTP guard still applies: loopback Host on a
 * loopback bind). `GET /healthz`: the process answers. `GET /readyz`: it can serve calls, that is it listens, its
 * config is loaded and its state backend can be reached (503 while shared state is out of reach, when every call
 * would be refused); it lists each server's state, but not its errors (`toolscope status` and the console show those).
 */
export function healthRoutes(gateway: Gateway): HttpRoute[] {
  return [
    {
      method: 'GET',
      path: '/healthz',
      async handle(_req, res) {
        sendJson(res, 200, { status: 'ok' });
      },
    },
    {
      method: 'GET',
      path: '/readyz',
      async handle(_req, res) {
        const status = gateway.status();
        const ready = status.state.available;
        sendJson(res, ready ? 200 : 503, {
          status: ready ? 'ready' : 'not ready',
          ...(!ready && { reason: `the state backend cannot be reached (${status.state.description}): calls are refused meanwhile` }),
          state: { backend: status.state.backend, available: status.state.available },
          tools: status.tools,
          servers: status.servers.map(({ name, state, tools, restarts }) => ({ name, state, tools, restarts })),
        });
      },
    },
  ];
}
