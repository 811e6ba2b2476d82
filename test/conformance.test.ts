import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConformanceServer, type ConformanceServer } from './fixtures/conformance-server.js';
import {
  ensureConformanceSuite,
  failures,
  runServerScenarios,
  type ConformanceCheck,
  type ScenarioResults,
} from './support/conformance-suite.js';
import { serveHttpProcess, type HttpServeProcess } from './support/serve-process.js';
import { tempDir, type TempDir } from './support/temp-dir.js';

/**
 * The official MCP conformance suite's server scenarios, run against a conformant downstream (the fixture)
 * directly and through `toolscope serve --http` in front of it (exposure `all`, the downstream's own names):
 * toolscope must be transparent, so every scenario ends with the same checks, statuses and details both ways.
 */

/** Scenarios about the HTTP transport itself: their details carry the endpoint's address and session ids. */
const TRANSPORT_SCENARIOS = new Set(['server-initialize', 'dns-rebinding-protection', 'server-sse-polling', 'server-sse-multiple-streams']);

/** The verdicts of a scenario's checks; INFO entries only log the traffic (how many SSE events came), not a verdict. */
const statuses = (checks: readonly ConformanceCheck[]) =>
  checks.filter((check) => check.status !== 'INFO').map((check) => `${check.id}: ${check.status}`);

describe('official MCP conformance suite, server scenarios', () => {
  let dir: TempDir;
  let downstream: ConformanceServer;
  let toolscope: HttpServeProcess;
  let direct: ScenarioResults;
  let through: ScenarioResults;

  beforeAll(async () => {
    await ensureConformanceSuite();
    dir = await tempDir();
    downstream = await startConformanceServer();
    const config = {
      exposure: { mode: 'all' },
      retrieval: { retriever: 'bm25' },
      servers: { conformance: { url: downstream.url, namespace: '' } },
    };
    await writeFile(join(dir.path, 'toolscope.json'), JSON.stringify(config));
    toolscope = await serveHttpProcess(join(dir.path, 'toolscope.json'));
    direct = await runServerScenarios(downstream.url, join(dir.path, 'direct'));
    through = await runServerScenarios(toolscope.url, join(dir.path, 'through'));
  }, 240_000);

  afterAll(async () => {
    await toolscope?.stop();
    await downstream?.close();
    await dir?.remove();
  });

  it('the downstream fixture passes every server scenario directly', () => {
    expect(direct.size).toBeGreaterThanOrEqual(30);
    expect(failures(direct)).toEqual([]);
  });

  it('every scenario passes through toolscope as it passes directly', () => {
    expect([...through.keys()].sort()).toEqual([...direct.keys()].sort());
    expect(failures(through)).toEqual([]);
    for (const [scenario, checks] of direct) {
      expect(statuses(through.get(scenario)!), scenario).toEqual(statuses(checks));
    }
  });

  it('what a client sees through toolscope (results, notifications, relayed requests) equals what it sees directly', () => {
    for (const [scenario, checks] of direct) {
      if (TRANSPORT_SCENARIOS.has(scenario)) continue;
      const seen = through.get(scenario)!.map((check) => check.details);
      expect(seen, scenario).toEqual(checks.map((check) => check.details));
    }
  });
});
