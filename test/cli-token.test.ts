import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, servers, tempDir, writeConfig } from './support/toolscope-cli.js';

describe('toolscope token create', () => {
  let path: string;
  let removeDir: () => Promise<void>;
  beforeEach(async () => {
    const dir = await tempDir();
    removeDir = dir.remove;
    path = await writeConfig(dir.path, { servers: { everything: servers.everything() } });
  });
  afterEach(() => removeDir());

  it('issues a token whose rules name no configured server, with the warning the config gets for such rules', async () => {
    const created = await runCli(['--config', path, 'token', 'create', 'ci', '--scopes', 'read', 'nosuch:*', 'everything:echo', '--deny', 'everythng:*']);
    expect(created.code).toBe(0);
    expect(created.stdout.trim()).toMatch(/^tsk_/);
    expect(created.stderr).toContain(
      'toolscope: warning: --scopes: "nosuch:*" names no server in "servers"; it applies to nothing until one is added\n' +
        'toolscope: warning: --deny: "everythng:*" names no server in "servers" (did you mean "everything"?); it applies to nothing until one is added\n',
    );
  });

  it('says nothing more when every rule names a configured server', async () => {
    const created = await runCli(['--config', path, 'token', 'create', 'ci', '--scopes', 'read', 'everything:*', 'e*:echo']);
    expect(created.code).toBe(0);
    expect(created.stderr).not.toContain('warning');
  });
});
