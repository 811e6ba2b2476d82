import { readFileSync } from 'node:fs';

/**
 * toolscope's version, read from its package.json (one folder above this module, in `src/` and in `dist/` alike), so
 * `toolscope --version`, the `serverInfo` clients see and the client info downstream servers see never disagree.
 */
export const VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
