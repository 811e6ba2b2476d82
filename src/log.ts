import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * Logs go to stderr: stdout belongs to the MCP stdio transport.
 * Header and token fields are redacted by path; secret values are masked by the audit redactor before logging.
 */
export function createLogger(level: string = process.env.TOOLSCOPE_LOG_LEVEL ?? 'info'): Logger {
  return pino(
    {
      name: 'toolscope',
      level,
      redact: {
        paths: ['*.headers', '*.authorization', '*.token', '*.env', 'headers', 'authorization', 'token', 'env'],
        censor: '[redacted]',
      },
    },
    pino.destination({ fd: 2, sync: true }),
  );
}
