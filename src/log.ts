import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** Lines for people on a terminal, JSON lines for everything else (files, journald, log shippers). */
export function defaultLogFormat(): LogFormat {
  return process.stderr.isTTY ? 'pretty' : 'json';
}

/**
 * Logs go to stderr: stdout belongs to the MCP stdio transport.
 * Header and token fields are redacted by path; secret values are masked by the audit redactor before logging.
 */
export function createLogger(level: string = process.env.TOOLSCOPE_LOG_LEVEL ?? 'info', format: LogFormat = defaultLogFormat()): Logger {
  const options = {
    name: 'toolscope',
    level,
    redact: {
      paths: ['*.headers', '*.authorization', '*.token', '*.env', 'headers', 'authorization', 'token', 'env'],
      censor: '[redacted]',
    },
  };
  // Redaction happens before either format sees a record. Pretty printing runs in this thread (no worker), written synchronously like the JSON.
  if (format === 'pretty') return pino(options, pretty({ destination: 2, sync: true, colorize: process.stderr.isTTY }));
  return pino(options, pino.destination({ fd: 2, sync: true }));
}
