import { readFile } from 'node:fs/promises';

/** The fields of an audit record the tests look at. */
export interface AuditLine {
  readonly callId?: string;
  readonly event?: string;
  readonly principal?: string | null;
  readonly tool?: string;
  readonly outcome?: string;
  readonly arguments?: Record<string, unknown>;
  readonly decisions?: ReadonlyArray<{ readonly stage: string; readonly outcome: string; readonly reason?: string }>;
  readonly refusal?: { readonly stage: string; readonly reason: string; readonly rule?: string };
}

export interface AuditFile {
  readonly records: AuditLine[];
  /** Bytes after the last newline: a line torn by a crash mid-write (empty for a clean file). */
  readonly tornTail: string;
}

/**
 * Reads an audit log the way its readers must: whole lines only, each one JSON (a line that is not is an error
 * naming it); whatever follows the last newline is a torn write, reported apart and never parsed.
 */
export async function readAuditFile(path: string): Promise<AuditFile> {
  const text = await readFile(path, 'utf8');
  const end = text.lastIndexOf('\n') + 1;
  const records = text
    .slice(0, end)
    .split('\n')
    .slice(0, -1)
    .map((line, index) => {
      try {
        return JSON.parse(line) as AuditLine;
      } catch {
        throw new Error(`audit line ${index + 1} of ${path} is not JSON: ${line.slice(0, 200)}`);
      }
    });
  return { records, tornTail: text.slice(end) };
}
