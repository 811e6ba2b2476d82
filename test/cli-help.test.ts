import { describe, expect, it } from 'vitest';
import { runCli } from './support/toolscope-cli.js';

describe('toolscope --help', () => {
  it("shows the options every command takes (--config, --log-format) in each command's own help", async () => {
    // One setting of the root command does it for all; a command of each depth and kind stands for the rest.
    const helps = await Promise.all([['serve'], ['add'], ['approvals', 'list'], ['token', 'create']].map((command) => runCli([...command, '--help'])));
    for (const help of helps) {
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(/Global Options:\n[\s\S]*-c, --config <file>[\s\S]*--log-format <format>/);
    }
  });
});
