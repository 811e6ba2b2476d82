import { LoggingLevelSchema, type LoggingLevel } from '@modelcontextprotocol/sdk/types.js';

const SEVERITY = new Map(LoggingLevelSchema.options.map((level, index) => [level, index]));

/** Whether a message of `level` passes a session that asked for `wanted` and up. */
export function passes(level: LoggingLevel, wanted: LoggingLevel): boolean {
  return SEVERITY.get(level)! >= SEVERITY.get(wanted)!;
}

/**
 * The logging level each client session set. Downstream servers are set to the most verbose of them, so no session
 * silences what another asked for; toolscope then filters per session.
 */
export class LogLevels {
  private readonly levels = new Map<string, LoggingLevel>();

  /** Records a session's level; returns the level servers should now have, or undefined if it did not change. */
  set(session: string, level: LoggingLevel): LoggingLevel | undefined {
    const before = this.mostVerbose();
    this.levels.set(session, level);
    const after = this.mostVerbose();
    return after !== before ? after : undefined;
  }

  /** Forgets a closed session; returns the level servers should now have, or undefined if it did not change. */
  drop(session: string): LoggingLevel | undefined {
    const before = this.mostVerbose();
    if (!this.levels.delete(session)) return undefined;
    const after = this.mostVerbose();
    return after !== before ? after : undefined;
  }

  of(session: string): LoggingLevel | undefined {
    return this.levels.get(session);
  }

  /** The most verbose level any session asked for; undefined when none did (servers keep their own default). */
  mostVerbose(): LoggingLevel | undefined {
    let most: LoggingLevel | undefined;
    for (const level of this.levels.values()) if (!most || passes(most, level)) most = level;
    return most;
  }
}
