const MAX_LINE_LENGTH = 2_000;
/** A line that names a failure: `Error: …`, `TypeError: …`, `ENOENT`, `Permission denied`, `fatal: …`, a panic. */
const ERROR_HEADLINE = /\b(\w*Error|Exception|ENOENT|EACCES|EPERM|denied|not found|No such file|cannot|Cannot|fatal|Fatal|panic(ked)?)\b/;
const TAIL_LINES = 20;

/**
 * Splits a child's stderr into lines for our logger, with bounded memory: long lines are cut, only the last
 * few lines are kept (to explain a failed start), and known secret values are masked before anything leaves.
 */
export class StderrCapture {
  private partial = '';
  private readonly tail: string[] = [];

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly secrets: readonly string[] = [],
  ) {}

  write(chunk: Buffer | string): void {
    const lines = (this.partial + chunk.toString()).split('\n');
    this.partial = lines.pop() ?? '';
    if (this.partial.length > MAX_LINE_LENGTH) {
      lines.push(this.partial);
      this.partial = '';
    }
    for (const line of lines) this.emit(line);
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
    const headline = this.tail.findLast((line) => ERROR_HEADLINE.test(line) && !/^\s+at\s/.test(line));
    return headline ?? this.tail.at(-1);
  }

  private emit(raw: string): void {
    let line = raw.replace(/\r$/, '');
    if (!line.trim()) return;
    if (line.length > MAX_LINE_LENGTH) line = `${line.slice(0, MAX_LINE_LENGTH)}…`;
    line = maskSecrets(line, this.secrets);
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
