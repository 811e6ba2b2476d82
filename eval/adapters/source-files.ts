import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { z } from 'zod';
import { formatIssues } from '../../src/config/load.js';
import { EvalInputError } from '../../src/eval/input-error.js';

/**
 * A source file of a public benchmark that is missing or does not have the shape its adapter expects: bad input, so
 * the scripts say it in one line (`reportUsageErrorsPlainly`), naming the file.
 */
export class SourceFormatError extends EvalInputError {
  constructor(file: string, line: number | undefined, problem: string) {
    super([{ file, line: line ?? 0, problem }]);
    this.name = 'SourceFormatError';
  }
}

/** The text of a benchmark's source file; a file that is missing, unreadable or empty is a SourceFormatError. */
export async function readSourceText(path: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new SourceFormatError(path, undefined, code === 'ENOENT' ? 'file not found' : `cannot read (${code})`);
  }
  if (text.trim() === '') throw new SourceFormatError(path, undefined, 'the file is empty');
  return text;
}

function check<S extends z.ZodType>(schema: S, value: unknown, file: string, line?: number): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new SourceFormatError(file, line, formatIssues(result.error.issues).join('; '));
  return result.data;
}

/** Reads one JSON document and checks it against `schema`. */
export async function readJsonSource<S extends z.ZodType>(dir: string, file: string, schema: S): Promise<z.infer<S>> {
  const path = join(dir, file);
  const text = await readSourceText(path);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new SourceFormatError(path, undefined, `invalid JSON (${(error as Error).message})`);
  }
  return check(schema, json, path);
}

/** Reads a file of one JSON document per line (several benchmarks name these `.json`), checking each line. */
export async function readJsonLinesSource<S extends z.ZodType>(
  dir: string,
  file: string,
  schema: S,
): Promise<Array<z.infer<S>>> {
  const path = join(dir, file);
  const text = await readSourceText(path);
  const records: Array<z.infer<S>> = [];
  text.split('\n').forEach((raw, index) => {
    if (raw.trim() === '') return;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch (error) {
      throw new SourceFormatError(path, index + 1, `invalid JSON (${(error as Error).message})`);
    }
    records.push(check(schema, json, path, index + 1));
  });
  return records;
}
