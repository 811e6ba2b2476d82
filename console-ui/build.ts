/**
 * Builds the web console into dist/console-ui/ (index.html, app.js, app.css): one bundle, every dependency in it,
 * nothing loaded from elsewhere at run time. `npm run build` runs it; the console tests call `buildConsole()`.
 */
import { copyFile, mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const HERE = fileURLToPath(new URL('.', import.meta.url));
export const CONSOLE_UI_OUT = fileURLToPath(new URL('../dist/console-ui/', import.meta.url));

export async function buildConsole(): Promise<void> {
  await mkdir(CONSOLE_UI_OUT, { recursive: true });
  await build({
    entryPoints: { app: `${HERE}src/main.tsx` },
    outdir: CONSOLE_UI_OUT,
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2022',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    legalComments: 'none',
    logLevel: 'warning',
  });
  await copyFile(`${HERE}index.html`, `${CONSOLE_UI_OUT}index.html`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildConsole();
