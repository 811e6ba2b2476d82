import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { editConfig, rawServers } from '../../config/edit.js';
import { CLIENT_CONFIG, entryWarnings, planImport } from '../../config/import.js';
import { readConfigJson } from '../../config/load.js';
import { configPath } from '../options.js';

/** `import FILE`: adds the servers of a Claude Desktop / Cursor config, reporting each entry it refuses. */
export function register(program: Command): void {
  program
    .command('import')
    .description('import the "mcpServers" of a Claude Desktop or Cursor config file')
    .argument('<file>', 'e.g. claude_desktop_config.json or .cursor/mcp.json')
    .option('--allow-similar-name', 'import npx/uvx packages even when their names are close to a known MCP server package')
    .action(async (source: string, options: { allowSimilarName?: boolean }, cmd: Command) => {
      const file = configPath(cmd);
      const sourceJson = await readConfigJson(resolve(source), CLIENT_CONFIG);
      const plan = await editConfig(
        file,
        (raw) => {
          const servers = rawServers(raw, file);
          const planned = planImport(sourceJson, resolve(source), new Set(Object.keys(servers)), {
            allowSimilarNames: options.allowSimilarName === true,
          });
          for (const { name, entry } of planned.accepted) servers[name] = entry;
          return planned;
        },
        { createIfMissing: true },
      );
      for (const { name, entry, notes } of plan.accepted) {
        console.log(`imported "${name}"`);
        for (const warning of [...notes, ...(await entryWarnings(`mcpServers.${name}`, entry, dirname(resolve(file))))]) console.log(`  warning: ${warning}`);
      }
      for (const { name, reasons } of plan.refused) {
        console.log(`refused "${name}":`);
        for (const reason of reasons) console.log(`  - ${reason}`);
      }
      console.log(`${plan.accepted.length} imported, ${plan.refused.length} refused, into ${file}`);
      // The accepted ones are in; a script still learns that some were not.
      if (plan.refused.length > 0) process.exitCode = 1;
    });
}
