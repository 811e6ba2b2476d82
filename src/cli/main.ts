import { Command } from 'commander';
import { register as registerApprovals } from './commands/approvals.js';
import { register as registerAudit } from './commands/audit.js';
import { register as registerCatalog } from './commands/catalog.js';
import { register as registerEval } from './commands/eval.js';
import { register as registerImport } from './commands/import.js';
import { register as registerModels } from './commands/models.js';
import { register as registerQuarantine } from './commands/quarantine.js';
import { register as registerServe } from './commands/serve.js';
import { register as registerServers } from './commands/servers.js';
import { register as registerStatus } from './commands/status.js';
import { register as registerToken } from './commands/token.js';
import { DEFAULT_CONFIG, logFormatOption } from './options.js';
import { VERSION } from '../version.js';
import { errorMessage } from '../error-message.js';

/** Each command group registers itself; add new groups to this list. */
const COMMAND_GROUPS = [
  registerServe,
  registerServers,
  registerImport,
  registerCatalog,
  registerStatus,
  registerEval,
  registerModels,
  registerToken,
  registerApprovals,
  registerQuarantine,
  registerAudit,
];

function buildProgram(): Command {
  const program = new Command('toolscope')
    .description('One MCP endpoint in front of many MCP servers')
    .version(VERSION, '-V, --version', 'print the version')
    .option('-c, --config <file>', 'config file', DEFAULT_CONFIG)
    .addOption(logFormatOption())
    .showHelpAfterError('(add --help for usage)')
    // Every command takes --config and --log-format; its own help says so.
    .configureHelp({ showGlobalOptions: true })
    .configureOutput({ outputError: (message, write) => write(`toolscope: ${message.replace(/^error: /, '')}`) });
  for (const register of COMMAND_GROUPS) register(program);
  return program;
}

buildProgram()
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    // Expected failures (bad config, unknown server, refused bind) are messages for the admin, not stack traces.
    process.stderr.write(`toolscope: ${errorMessage(error)}\n`);
    process.exitCode = 1;
  });
