import { readFileSync } from 'node:fs';

/** toolscope's version from package.json (two levels up from both src/eval and dist/eval). */
export function toolscopeVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return manifest.version;
}
