import { readFile } from 'node:fs/promises';
import type { z } from 'zod';
import { formatIssues } from '../config/load.js';
import { EvalInputError, type BadLine } from './input-error.js';

export interface ParsedLine<T> {
  readonly line: number;
  readonly value: T;
}

/** A line that is JSON but fails the schema keeps its JSON, so a loader can still tell what it was meant to be. */
export interface RejectedLine extends BadLine {
  readonly json?: unknown;
}

export interface JsonlParse<T> {
  readonly records: ParsedLine<T>[];
  readonly bad: RejectedLine[];
}

/** Parses every non-blank line of a JSONL file against `schema`, collecting the lines that fail instead of throwing. */
export async function parseJsonlFile<S extends z.ZodType>(file: string, schema: S): Promise<JsonlParse<z.infer<S>>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new EvalInputError([{ file, line: 0, problem: code === 'ENOENT' ? 'file not found' : `cannot read (${code})` }]);
  }
  const records: ParsedLine<z.infer<S>>[] = [];
  const bad: RejectedLine[] = [];
  // A byte order mark (Windows editors write one) is no part of the first line's JSON.
  text.replace(/^\uFEFF/, '').split('\n').forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '') return;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch (error) {
      bad.push({ file, line, problem: `invalid JSON (${(error as Error).message})` });
      return;
    }
    const result = schema.safeParse(json);
    if (result.success) records.push({ line, value: result.data });
    else bad.push({ file, line, problem: formatIssues(result.error.issues).join('; '), json });
  });
  return { records, bad };
}

/** Serialises records as JSONL (one JSON document per line, trailing newline). */
export function toJsonl(records: readonly unknown[]): string {
  return records.map((record) => JSON.stringify(record)).join('\n') + (records.length > 0 ? '\n' : '');
}
