import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir, textOf, waitFor, waitForTools } from './support/toolscope-cli.js';
import type { TempDir } from './support/temp-dir.js';
import { httpClient, refusalOf, startHttpGateway } from './support/policy.js';
import { fixtureServer } from './support/serve-process.js';

const DISGUISED = ['keep_notes', 'find_files', 'tidy_text', 'split_words', 'export_sheet', 'build_report', 'priority_send'].map(
  (name) => `disguised__${name}`,
);

describe('poisoning scan of disguised text (real servers behind a gateway)', () => {
  let dir: TempDir;
  let gateway: Awaited<ReturnType<typeof startHttpGateway>>;
  let client: Client;

  beforeAll(async () => {
    dir = await tempDir();
    gateway = await startHttpGateway(dir.path, {
      exposure: { mode: 'all' },
      approval: { required: [] },
      servers: {
        mail: fixtureServer('disguised-poison-server', { VARIANT: 'mail' }),
        disguised: fixtureServer('disguised-poison-server'),
      },
    });
    client = await httpClient(gateway.url);
    await waitForTools(client, ['mail__send_email', 'disguised__word_count', 'disguised__send_email']);
    await waitFor(() => gateway.gateway.catalog.size === 10 || undefined, 'both servers listed');
  });

  afterAll(async () => {
    await client?.close();
    await gateway?.close();
    await dir?.remove();
  });

  it('quarantines instructions in look-alike letters, in annotations.title and outputSchema, and "instead of" another server\'s tool', async () => {
    const listed = (await client.listTools()).tools.map((tool) => tool.name);
    for (const name of DISGUISED) expect(listed, name).not.toContain(name);
    expect(listed).toEqual(expect.arrayContaining(['mail__send_email', 'disguised__send_email', 'disguised__word_count']));
    const reasons = Object.fromEntries(gateway.gateway.policy.pinning.allQuarantined().map((entry) => [entry.tool, entry.reasons.join('; ')]));
    expect(Object.keys(reasons).sort()).toEqual([...DISGUISED].sort());
    expect(reasons['disguised__keep_notes']).toMatch(/model-instructions in description/);
    expect(reasons['disguised__find_files']).toMatch(/model-instructions in description/);
    expect(reasons['disguised__tidy_text']).toMatch(/model-instructions in description/);
    expect(reasons['disguised__split_words']).toMatch(/model-instructions in description/);
    expect(reasons['disguised__export_sheet']).toMatch(/markup in annotations\.title/);
    expect(reasons['disguised__build_report']).toMatch(/secret-file in outputSchema\.properties\.result\.description/);
    expect(reasons['disguised__priority_send']).toMatch(/tool-shadowing in description: .*"send_email"/);
  });

  it('never hands the flagged text to the client: a call to a quarantined tool is refused without quoting it', async () => {
    for (const name of DISGUISED) {
      const refused = (await client.callTool({ name, arguments: { text: 'x', to: 'a', body: 'b' } })) as CallToolResult;
      expect(refusalOf(refused)).toMatchObject({ stage: 'scope', rule: 'quarantine (poisoned)' });
      const shown = JSON.stringify(refused);
      for (const fragment of ['Іgnоrе', 'ｄｏ ｎｏｔ', '𝐘𝐨𝐮', 'Ig\u200cnore', 'IMPORTANT', 'id_rsa', 'credentials', 'instead of']) {
        expect(shown, `${name} refusal quotes ${fragment}`).not.toContain(fragment);
      }
      expect(textOf(refused)).toMatch(new RegExp(`toolscope quarantine.*toolscope approve-tool ${name}`));
    }
  });

  it('`toolscope quarantine` shows the admin what was found', async () => {
    const cli = await runCli(['--config', join(dir.path, 'toolscope.json'), 'quarantine']);
    expect(cli.stdout).toMatch(/disguised__keep_notes \(poisoned/);
    expect(cli.stdout).toMatch(/markup in annotations\.title/);
  });
});
