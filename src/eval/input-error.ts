/** A line of an eval input file that cannot be used, located as `file:line`. */
export interface BadLine {
  readonly file: string;
  /** 1-based; 0 when the problem is the whole file. */
  readonly line: number;
  readonly problem: string;
}

export function describeBadLine(bad: BadLine): string {
  return bad.line > 0 ? `${bad.file}:${bad.line}: ${bad.problem}` : `${bad.file}: ${bad.problem}`;
}

/** Bad lines shown one per line; a file of hundreds is the same mistake over and over, so the first few and a count. */
const SHOWN_BAD_LINES = 10;

export function describeBadLines(problems: readonly BadLine[], indent = ''): string {
  const shown = problems.slice(0, SHOWN_BAD_LINES).map((bad) => `${indent}${describeBadLine(bad)}`);
  const rest = problems.length - shown.length;
  return [...shown, ...(rest > 0 ? [`${indent}… and ${rest} more`] : [])].join('\n');
}

/** Eval input that stops the run: a malformed line (without `--skip-bad`) or an unreadable file. */
export class EvalInputError extends Error {
  constructor(readonly problems: readonly BadLine[]) {
    super(describeBadLines(problems));
    this.name = 'EvalInputError';
  }

  /** True when skipping lines could get past the problem (it is not about a whole file). */
  get skippable(): boolean {
    return this.problems.every((problem) => problem.line > 0);
  }
}

/** A measurement that cannot be made as asked: options that contradict each other, a model that does not load. */
export class EvalSetupError extends Error {
  override readonly name = 'EvalSetupError';
}
