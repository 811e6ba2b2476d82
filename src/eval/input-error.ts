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

/** Eval input that stops the run: a malformed line (without `--skip-bad`) or an unreadable file. */
export class EvalInputError extends Error {
  constructor(readonly problems: readonly BadLine[]) {
    super(problems.map(describeBadLine).join('\n'));
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
