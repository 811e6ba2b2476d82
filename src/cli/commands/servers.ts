import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { editConfig, rawServer, rawServers } from '../../config/edit.js';
import { readConfigJson } from '../../config/load.js';
import { describeSimilarName, typosquatInArgv } from '../../policy/supply-chain/typosquat.js';
import { configPath, keyValue, positiveInteger } from '../options.js';
import { entryWarnings } from '../../config/import.js';

interface AddOptions {
  url?: string;
  sse?: boolean;
  header?: Record<string, string>;
  env?: Record<string, string>;
  cwd?: string;
  lazy?: boolean;
  timeoutMs?: number;
  allowSimilarName?: boolean;
}

/** `add`, `remove`, `enable`, `disable`: edit the `servers` section of the config in place, atomically. */
export function register(program: Command): void {
  program
    .command('add')
    .description('register a downstream server: `add NAME -- COMMAND [ARGS...]` (stdio) or `add NAME --url URL`')
    .argument('<name>', 'server name (letters, digits, "_" and "-"); tools are exposed as NAME__tool')
    .argument('[command...]', 'program and arguments, after `--`; run without a shell')
    .option('--url <url>', 'Streamable HTTP endpoint of a remote server')
    .option('--sse', 'the --url server speaks the legacy HTTP+SSE transport')
    .option('--header <KEY=VALUE>', 'HTTP header for --url (repeatable; values may use ${env:NAME})', keyValue)
    .option('--env <KEY=VALUE>', 'environment variable for the child (repeatable; values may use ${env:NAME})', keyValue)
    .option('--cwd <dir>', 'working directory of the child (relative to the config file)')
    .option('--lazy', 'connect on first use instead of at startup')
    .option('--timeout-ms <ms>', 'per-call timeout in milliseconds', positiveInteger)
    .option('--allow-similar-name', 'register an npx/uvx package even though its name is close to a known MCP server package')
    .action(async (name: string, command: string[], options: AddOptions, cmd: Command) => {
      const entry = newEntry(command, options);
      const similar = command[0] === undefined ? undefined : typosquatInArgv(command[0], command.slice(1));
      if (similar && !options.allowSimilarName) throw new Error(`refusing to add "${name}": ${describeSimilarName(similar)}`);
      const file = configPath(cmd);
      await editConfig(
        file,
        (raw) => {
          const servers = rawServers(raw, file);
          if (name in servers) throw new Error(`a server named "${name}" already exists (remove it first)`);
          servers[name] = entry;
        },
        { createIfMissing: true },
      );
      console.log(`added server "${name}" to ${file}`);
      for (const warning of await entryWarnings(`servers.${name}`, entry, dirname(resolve(file)))) console.log(`  warning: ${warning}`);
    });

  program
    .command('remove')
    .description('unregister a server')
    .argument('<name>')
    .action(async (name: string, _options: unknown, cmd: Command) => {
      const file = configPath(cmd);
      await editConfig(file, (raw) => {
        rawServer(raw, file, name);
        delete rawServers(raw, file)[name];
      });
      console.log(`removed server "${name}" from ${file}`);
    });

  for (const [verb, enabled] of [
    ['enable', true],
    ['disable', false],
  ] as const) {
    program
      .command(verb)
      .description(`${verb} a server (kept in the config${enabled ? '' : ', not started'})`)
      .argument('<name>')
      .action(async (name: string, _options: unknown, cmd: Command) => {
        const file = configPath(cmd);
        // Rewriting the entry as it is would change nothing, in the file or in a running serve: say so instead.
        if (await alreadySet(file, name, enabled)) {
          const retried = enabled ? '; a running serve retries a failing server by itself (`toolscope status` shows when)' : '';
          console.log(`server "${name}" is already ${verb}d in ${file}${retried}`);
          return;
        }
        await editConfig(file, (raw) => {
          rawServer(raw, file, name).enabled = enabled;
        });
        console.log(`${verb}d server "${name}" in ${file}`);
      });
  }
}

/**
 * Whether the server's entry already says `enabled` as asked (no `enabled` means enabled). A file or entry that
 * cannot be read as one answers false: the edit then reports what is wrong with it.
 */
async function alreadySet(file: string, name: string, enabled: boolean): Promise<boolean> {
  const raw = await readConfigJson(file);
  const entry = isObject(raw) && isObject(raw.servers) ? raw.servers[name] : undefined;
  return isObject(entry) && (entry.enabled ?? true) === enabled;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function newEntry(command: readonly string[], options: AddOptions): Record<string, unknown> {
  const common = {
    ...(options.lazy && { startup: 'lazy' }),
    ...(options.timeoutMs !== undefined && { timeoutMs: options.timeoutMs }),
  };
  if (options.url !== undefined) {
    if (command.length > 0) throw new Error('give either --url or a command after `--`, not both');
    if (options.env || options.cwd) throw new Error('--env and --cwd apply to stdio servers, not to --url');
    return {
      ...(options.sse && { type: 'sse' }),
      url: options.url,
      ...(options.header && { headers: options.header }),
      ...common,
    };
  }
  const [program, ...args] = command;
  if (!program) throw new Error('missing the server to run: `toolscope add NAME -- COMMAND [ARGS...]` or `--url URL`');
  if (options.header || options.sse) throw new Error('--header and --sse apply to --url servers');
  return {
    command: program,
    args,
    ...(options.env && { env: options.env }),
    ...(options.cwd !== undefined && { cwd: options.cwd }),
    ...common,
  };
}
