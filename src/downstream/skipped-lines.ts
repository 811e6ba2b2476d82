import type { Logger } from '../log.js';
import { maskSecrets } from './stderr-capture.js';

const LOGGED_IN_FULL = 5;
const SHOWN_CHARS = 200;

/**
 * Reports stdout lines a server wrote that are not JSON-RPC (they are skipped): the first few with their text
 * (cut short, secrets masked), then only a running count at 10, 100, 1000... so a chatty server cannot flood the log.
 */
export function skippedLineReporter(log: Logger, secrets: readonly string[]): (line: string, error: Error) => void {
  let skipped = 0;
  return (line, error) => {
    skipped++;
    if (skipped <= LOGGED_IN_FULL) {
      const shown = maskSecrets(line.slice(0, SHOWN_CHARS), secrets);
      log.warn({ line: shown, problem: error.message.slice(0, SHOWN_CHARS) }, 'skipped a stdout line that is not JSON-RPC');
    } else if (/^10+$/.test(String(skipped))) {
      log.warn({ skipped }, 'skipped stdout lines that are not JSON-RPC');
    }
  };
}
