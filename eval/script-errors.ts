import { EvalInputError, EvalSetupError } from '../src/eval/input-error.js';

/**
 * An eval script run with a wrong option or input (an unknown dataset, a model that does not load, a malformed line)
 * says what was wrong in one line and exits with status 1, as `toolscope eval` does, instead of a stack trace. Any
 * other error still ends the script with its stack.
 */
export function reportUsageErrorsPlainly(script: string): void {
  process.on('uncaughtException', (error) => {
    const usage = error instanceof EvalSetupError || error instanceof EvalInputError;
    process.stderr.write(usage ? `${script}: ${error.message}\n` : `${error.stack ?? String(error)}\n`);
    process.exit(1);
  });
}
