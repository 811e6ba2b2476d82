import type { Logger } from '../log.js';
import { maskSecrets } from './stderr-capture.js';

const LOGGED_IN_FULL = 5;
const SHOWN_CHARS = 200;
/** The first skipped line in a status's last error: enough to recognise a banner or a log line. */
const QUOTED_CHARS = 80;

/**
 * Stdout lines a server wrote that are not JSON-RPC (they are skipped). Logs the first few with their text (cut short,
 * secrets masked), then only a running count at 10, 100, 1000... so a chatty server cannot flood the log; and keeps
 * count, so a handshake that got no answer can say what came instead.
 */
export class SkippedLines {
  private skipped = 0;
  private first: string | undefined;

  constructor(
    private readonly log: Logger,
    private readonly secrets: readonly string[],
  ) {}

  /** For the transport's `onInvalidLine`. */
  readonly report = (line: string, error: Error): void => {
    this.skipped++;
    if (this.skipped <= LOGGED_IN_FULL) {
      const shown = maskSecrets(line.slice(0, SHOWN_CHARS), this.secrets);
      this.first ??= shown;
      this.log.warn({ line: shown, problem: error.message.slice(0, SHOWN_CHARS) }, 'skipped a stdout line that is not JSON-RPC');
    } else if (/^10+$/.test(String(this.skipped))) {
      this.log.warn({ skipped: this.skipped }, 'skipped stdout lines that are not JSON-RPC');
    }
  };

  /** E.g. `3 lines on stdout were not JSON-RPC and were skipped (the first: "listening on 3000")`; none: undefined. */
  describe(): string | undefined {
    if (this.skipped === 0 || this.first === undefined) return undefined;
    const count = this.skipped === 1 ? '1 line on stdout was not JSON-RPC and was' : `${this.skipped} lines on stdout were not JSON-RPC and were`;
    const first = this.first.length > QUOTED_CHARS ? `${this.first.slice(0, QUOTED_CHARS)}…` : this.first;
    return `${count} skipped (the first: ${JSON.stringify(first)})`;
  }
}
