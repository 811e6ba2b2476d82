import { isIP } from 'node:net';

export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

/** `localhost`, `127.0.0.0/8` and `::1` (with or without the brackets a URL puts around it). */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (bare === 'localhost' || bare === '::1') return true;
  return isIP(bare) === 4 && bare.startsWith('127.');
}

/**
 * Parses `HOST:PORT` (`[::1]:PORT` for IPv6). A non-loopback host is refused unless callers must authenticate
 * (principals are configured): an open gateway on a network address would serve anyone who can reach it.
 */
export function parseListenAddress(value: string, authenticated = false): ListenAddress {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(value);
  const host = match?.[1] ?? match?.[2];
  const port = Number(match?.[3]);
  if (!host || !(port >= 0 && port <= 65_535)) {
    throw new Error(`--http expects HOST:PORT (e.g. 127.0.0.1:7777), got "${value}"`);
  }
  if (!isLoopbackHost(host) && !authenticated) {
    throw new Error(
      `refusing to listen on ${host}: no principals are configured, so HTTP clients are not authenticated and ` +
        'toolscope only binds loopback addresses (127.0.0.1, ::1, localhost). Add principals and tokens ' +
        '(`toolscope token create NAME --scopes ...`) to serve on other addresses.',
    );
  }
  return { host, port };
}

/**
 * DNS-rebinding defence (MCP transport spec): a browser page on another site can reach a loopback port
 * under its own hostname, so the Host header must name a loopback host and any Origin must be a loopback origin.
 * Returns why the request is refused, or `undefined` when it may pass.
 */
export function rebindingRefusal(headers: { host?: string | undefined; origin?: string | undefined }): string | undefined {
  const hostname = headers.host ? hostnameOf(`http://${headers.host}`) : undefined;
  if (!hostname || !isLoopbackHost(hostname)) return `Host header "${headers.host ?? ''}" is not a loopback host`;
  if (headers.origin !== undefined) {
    const origin = hostnameOf(headers.origin);
    if (!origin || !isLoopbackHost(origin)) return `Origin "${headers.origin}" is not a loopback origin`;
  }
  return undefined;
}

function hostnameOf(url: string): string | undefined {
  try {
    return new URL(url).hostname;
  } catch {
    return undefined;
  }
}
