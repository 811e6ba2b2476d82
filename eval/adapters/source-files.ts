import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { z } from 'zod';
import { formatIssues } from '../../src/config/load.js';

/** A source file of a public benchmark that does not have the shape its adapter expects. */
export class SourceFormatError extends Error {
  constructor(file: string, line: number | undefined, problem: string) {
    super(`${file}${line === undefined ? '' : `:${line}`}: ${problem}`);
    this.name = 'SourceFormatError';
  }
}

function check<S extends z.ZodType>(schema: S, value: unknown, file: string, line?: number): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new SourceFormatError(file, line, formatIssues(result.error.issues).join('; '));
  return result.data;
}

/** Reads one JSON document and checks it against `schema`. */
export async function readJsonSource<S extends z.ZodType>(dir: string, file: string, schema: S): Promise<z.infer<S>> {
  const path = join(dir, file);
  const text = await readFile(path, 'utf8');
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
  const text = await readFile(path, 'utf8');
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
