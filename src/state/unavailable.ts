/**
 * The shared state cannot be read or written (Redis down, restarting, or too slow). Whatever needed it fails
 * closed: a call is refused, an HTTP request answered 503; nothing is allowed because the state is unknown.
 */
export class StateUnavailableError extends Error {
  override readonly name = 'StateUnavailableError';

  constructor(
    /** The backend as people may read it, credentials masked: `redis redis://cache:6379`. */
    readonly backend: string,
    readonly problem: string,
  ) {
    super(`toolscope's shared state (${backend}) is unavailable: ${problem}; refusing until it is back`);
  }
}
