import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { ROOT } from './toolscope-cli.js';
import { tempDir, type TempDir } from './temp-dir.js';

/** Debian's `chromium` package (`.ci/run` installs it): the console tests drive it through playwright-core. */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * Headless, and quiet: without the background-networking switches Chromium keeps calling Google services, which
 * on a closed network only floods it with failing connections.
 */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Browser {
  readonly page: Page;
  readonly context: BrowserContext;
  /** Closes Chromium and removes its profile. */
  close(): Promise<void>;
}

/** A real headless Chromium with a fresh profile (its own --user-data-dir), one page open. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} not found: the console tests need Debian's chromium package (apt-get install chromium; .ci/run installs it)`);
  }
  const profile: TempDir = await tempDir('toolscope-chromium-');
  const context = await chromium.launchPersistentContext(profile.path, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 800 },
  });
  // Locator reads wait for their element this long; tests poll, so one wait must not eat a test's time.
  context.setDefaultTimeout(5_000);
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    page,
    context,
    async close() {
      await context.close();
      await profile.remove();
    },
  };
}

/** Where `npm run console:screenshots` keeps the console's pictures for the docs. */
const SCREENSHOT_DIR = join(ROOT, 'docs/console');

/**
 * Saves the page as docs/console/NAME.png when CONSOLE_SCREENSHOTS=1 (the `console:screenshots` script); otherwise
 * does nothing, so a test run never rewrites the docs.
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (process.env.CONSOLE_SCREENSHOTS !== '1') return;
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}
