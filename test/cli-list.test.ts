import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, servers, tempDir, writeConfig } from './support/toolscope-cli.js';

describe('toolscope list', () => {
  let dir: string;
  let removeDir: () => Promise<void>;
  beforeEach(async () => {
    ({ path: dir, remove: removeDir } = await tempDir());
  });
  afterEach(() => removeDir());

  it('prints every server, then exits 1 naming the enabled servers that did not connect', async () => {
    const path = await writeConfig(dir, {
      servers: {
        everything: servers.everything(),
        gone: { command: join(dir, 'no-such-program') },
        crashing: { command: process.execPath, args: ['-e', 'process.exit(3)'], allowShell: true },
        off: { command: join(dir, 'no-such-program'), enabled: false },
      },
    });
    const result = await runCli(['--config', path, 'list']);
    expect(result.code).toBe(1);
    for (const row of [/^everything\s+ready\s/m, /^gone\s+failed\s/m, /^crashing\s+(backoff|failed)\s/m, /^off\s+disabled\s/m]) {
      expect(result.stdout).toMatch(row);
    }
    expect(result.stderr).toContain('toolscope: 2 server(s) did not connect: gone, crashing');
    // `list` stops the servers as it exits: no retry will come, so none is announced; the last error is kept.
    expect(result.stdout).not.toContain('retry at');
    expect(result.stdout).toMatch(/^crashing\s.*last error: the server process exited with code 3$/m);
  });

  it('exits 0 when every enabled server connected', async () => {
    const path = await writeConfig(dir, { servers: { everything: servers.everything(), off: { command: join(dir, 'no-such-program'), enabled: false } } });
    const result = await runCli(['--config', path, 'list']);
    expect(result.stdout).toMatch(/^everything\s+ready\s/m);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });
});
