import { afterEach, describe, expect, it } from 'vitest';
import { runCli, servers, tempDir, writeConfig } from './support/toolscope-cli.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function configWithEverything(): Promise<string> {
  const dir = await tempDir();
  cleanups.push(dir.remove);
  return writeConfig(dir.path, { servers: { everything: servers.everything() } });
}

describe('toolscope token create', () => {
  it('issues a token whose rules name no configured server, with the warning the config gets for such rules', async () => {
    const path = await configWithEverything();
    const created = await runCli(['--config', path, 'token', 'create', 'ci', '--scopes', 'read', 'nosuch:*', 'everything:echo', '--deny', 'everythng:*']);
    expect(created.code).toBe(0);
    expect(created.stdout.trim()).toMatch(/^tsk_/);
    expect(created.stderr).toContain(
      'toolscope: warning: --scopes: "nosuch:*" names no server in "servers"; it applies to nothing until one is added\n' +
        'toolscope: warning: --deny: "everythng:*" names no server in "servers" (did you mean "everything"?); it applies to nothing until one is added\n',
    );
  });

  it('says nothing more when every rule names a configured server', async () => {
    const path = await configWithEverything();
    const created = await runCli(['--config', path, 'token', 'create', 'ci', '--scopes', 'read', 'everything:*', 'e*:echo']);
    expect(created.code).toBe(0);
    expect(created.stderr).not.toContain('warning');
  });
});
