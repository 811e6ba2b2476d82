import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { HttpRoute } from '../server/http.js';
import { HttpError } from '../server/http-util.js';
import { CONSOLE_PATH, PRIVATE_HEADERS } from './console-api.js';

/**
 * Where `npm run build` puts the console's page and bundle (console-ui/build.ts): `dist/console-ui/` of the package,
 * found from this file, which lives two folders down both as source (src/console/) and compiled (dist/console/).
 */
export const CONSOLE_UI_DIR = fileURLToPath(new URL('../../dist/console-ui/', import.meta.url));

const ASSETS: Record<string, { file: string; type: string }> = {
  [`${CONSOLE_PATH}/`]: { file: 'index.html', type: 'text/html; charset=utf-8' },
  [`${CONSOLE_PATH}/app.js`]: { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  [`${CONSOLE_PATH}/app.css`]: { file: 'app.css', type: 'text/css; charset=utf-8' },
};

/** Only the console's own files run, and only its own origin is reached; nothing inline, no framing. */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The console's page and bundle, served to anyone who passes the HTTP guard: they hold no data (every datum comes
 * from the authenticated API). Read per request, so a rebuild shows at the next reload.
 */
export function staticRoutes(): HttpRoute[] {
  const redirect: HttpRoute = {
    method: 'GET',
    path: CONSOLE_PATH,
    async handle(_req, res) {
      res.writeHead(308, { location: `${CONSOLE_PATH}/` });
      res.end();
    },
  };
  const assets = Object.entries(ASSETS).map(
    ([path, asset]): HttpRoute => ({
      method: 'GET',
      path,
      async handle(_req, res) {
        const body = await readFile(`${CONSOLE_UI_DIR}${asset.file}`).catch((error: NodeJS.ErrnoException) => {
          if (error.code !== 'ENOENT') throw error;
          throw new HttpError(503, -32603, `the console is not built (no ${CONSOLE_UI_DIR}${asset.file}): run \`npm run build\``);
        });
        res.writeHead(200, { 'content-type': asset.type, 'content-security-policy': CONTENT_SECURITY_POLICY, ...PRIVATE_HEADERS });
        res.end(body);
      },
    }),
  );
  return [redirect, ...assets];
}
