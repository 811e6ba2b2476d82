import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, tempDir, writeConfig } from './support/toolscope-cli.js';

describe('toolscope status', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  beforeEach(async () => {
    dir = await tempDir();
  });
  afterEach(() => dir.remove());

  it('says why the queue and the quarantine cannot be read when the shared state is out of reach, and still reports the rest', async () => {
    // Port 1: nothing listens, so the connection is refused at once.
    const path = await writeConfig(dir.path, { servers: {}, state: { backend: 'redis', url: 'redis://127.0.0.1:1' } });
    const text = await runCli(['--config', path, 'status']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(`no toolscope serve is running with ${path}`);
    expect(text.stdout).toMatch(/quarantine: cannot read it \(toolscope's shared state \(redis redis:\/\/127\.0\.0\.1:1\) is unavailable/);

    const json = await runCli(['--config', path, 'status', '--json']);
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({
      serves: [],
      approvals: { error: expect.stringMatching(/shared state \(redis redis:\/\/127\.0\.0\.1:1\) is unavailable/) },
    });
  });

  it('reads the queue and the quarantine of a state folder with nothing in them', async () => {
    const path = await writeConfig(dir.path, { servers: {} });
    const json = await runCli(['--config', path, 'status', '--json']);
    expect(JSON.parse(json.stdout)).toEqual({ serves: [], approvals: { waiting: [], orphaned: [] } });
    expect((await runCli(['--config', path, 'status'])).stdout).toContain('quarantine: no tool is held');
  });
});
