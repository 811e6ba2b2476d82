const MAX_LINE_LENGTH = 2_000;
/** A line that names a failure: `Error: …`, `TypeError: …`, `ENOENT`, `Permission denied`, `fatal: …`, a panic, npm's `404 Not Found - GET …`. */
const ERROR_HEADLINE = /\b(\w*Error|Exception|ENOENT|EACCES|EPERM|denied|[Nn]ot [Ff]ound|No such file|cannot|Cannot|fatal|Fatal|panic(ked)?)\b/;
/** Lines that close a failure report without saying what failed: npm's pointer to its debug log. */
const NOT_AN_EXPLANATION = /A complete log of this run can be found in/;
const TAIL_LINES = 20;

/**
 * Splits a child's stderr into lines for our logger, with bounded memory: long lines are cut, only the last
 * few lines are kept (to explain a failed start), and known secret values are masked before anything leaves.
 */
export class StderrCapture {
  private partial = '';
  /** Within a line already cut: the rest of it, up to its newline, is dropped. */
  private droppingRest = false;
  private readonly tail: string[] = [];
  /** A line is cut only once it holds whole any secret that starts in the part kept, so masking sees it whole. */
  private readonly cutAt: number;

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly secrets: readonly string[] = [],
  ) {
    this.cutAt = MAX_LINE_LENGTH + Math.max(0, ...secrets.map((secret) => secret.length));
  }

  write(chunk: Buffer | string): void {
    let text = chunk.toString();
    if (this.droppingRest) {
      const newline = text.indexOf('\n');
      if (newline < 0) return;
      text = text.slice(newline + 1);
      this.droppingRest = false;
    }
    const lines = (this.partial + text).split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) this.emit(line);
    if (this.partial.length > this.cutAt) {
      this.emit(this.partial);
      this.partial = '';
      this.droppingRest = true;
    }
  }

  /** Emits whatever is left without a newline (the child exited). */
  end(): void {
    if (this.partial) this.emit(this.partial);
    this.partial = '';
  }

  /**
   * The line that best says why the child failed: the last error headline among the last lines (Node ends a crash
   * with its version, Python with the exception, so the very last line is often not it), else the last line.
   */
  explanation(): string | undefined {
    const telling = this.tail.filter((line) => !NOT_AN_EXPLANATION.test(line));
    const headline = telling.findLast((line) => ERROR_HEADLINE.test(line) && !/^\s+at\s/.test(line));
    return headline ?? telling.at(-1) ?? this.tail.at(-1);
  }

  private emit(raw: string): void {
    let line = raw.replace(/\r$/, '');
    if (!line.trim()) return;
    // Masked before cut: a cut through a secret would leave its first part unmasked.
    line = maskSecrets(line, this.secrets);
    if (line.length > MAX_LINE_LENGTH) line = `${line.slice(0, MAX_LINE_LENGTH)}…`;
    this.tail.push(line);
    if (this.tail.length > TAIL_LINES) this.tail.shift();
    this.onLine(line);
  }
}

export function maskSecrets(text: string, secrets: readonly string[]): string {
  let masked = text;
  for (const secret of secrets) masked = masked.replaceAll(secret, '[redacted]');
  return masked;
}
