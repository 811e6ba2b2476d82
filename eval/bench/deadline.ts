import { errorMessage } from '../../src/error-message.js';

/** How a section of the bench ended. `cut`: its time ran out, and what it measured until then is kept. */
export type SectionStatus = 'done' | 'cut' | 'failed' | 'skipped';

export interface SectionOutcome<T> {
  readonly status: SectionStatus;
  readonly allowanceMs: number;
  readonly elapsedMs: number;
  /** Why it was cut, failed or skipped. */
  readonly note?: string;
  /** Complete when `done`, partial when `cut`. */
  readonly result: T;
}

/** Thrown inside a section whose time is up; the section's partial result is reported as cut. */
export class SectionCut extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'SectionCut';
  }
}

/** Throws `SectionCut` once `signal` is aborted: measurement loops call it between iterations. */
export function throwIfCut(signal: AbortSignal): void {
  if (signal.aborted) throw new SectionCut(String(signal.reason ?? 'time is up'));
}

/** Below this a section is not started at all. */
const MIN_ALLOWANCE_MS = 2_000;
/** A section still stopping (children exiting, servers closing) this long after its signal is abandoned. */
export const ABANDON_GRACE_MS = 15_000;

/** The whole run's end; each section gets at most what is left of it. */
export class Deadline {
  private readonly endsAt: number;

  constructor(totalMs: number, private readonly reserveMs: number) {
    this.endsAt = Date.now() + totalMs;
  }

  /** What sections may still spend; the reserve is kept for writing the report. */
  remainingMs(): number {
    return Math.max(0, this.endsAt - this.reserveMs - Date.now());
  }
}

/**
 * Runs `body` with an allowance of `allowanceMs` (less when the run's deadline is nearer). `body` fills `result` as it
 * measures; when the time runs out its signal aborts, and whatever it filled in so far is reported as `cut`.
 */
export async function runSection<T>(
  deadline: Deadline,
  allowanceMs: number,
  result: T,
  body: (signal: AbortSignal, result: T) => Promise<void>,
): Promise<SectionOutcome<T>> {
  const allowance = Math.min(allowanceMs, deadline.remainingMs());
  if (allowance < MIN_ALLOWANCE_MS) {
    return { status: 'skipped', allowanceMs: allowance, elapsedMs: 0, note: 'no time left before the run deadline', result };
  }
  const controller = new AbortController();
  const reason = `cut after its ${(allowance / 1000).toFixed(0)} s allowance`;
  const timer = setTimeout(() => controller.abort(reason), allowance);
  let abandon: NodeJS.Timeout | undefined;
  const abandoned = new Promise<never>((_, reject) => {
    controller.signal.addEventListener('abort', () => {
      abandon = setTimeout(() => reject(new SectionCut(`${reason} (abandoned: it did not stop)`)), ABANDON_GRACE_MS);
    });
  });
  const started = Date.now();
  try {
    await Promise.race([body(controller.signal, result), abandoned]);
    return { status: 'done', allowanceMs: allowance, elapsedMs: Date.now() - started, result };
  } catch (error) {
    const elapsedMs = Date.now() - started;
    if (controller.signal.aborted) return { status: 'cut', allowanceMs: allowance, elapsedMs, note: reason, result };
    const note = errorMessage(error);
    return { status: 'failed', allowanceMs: allowance, elapsedMs, note, result };
  } finally {
    clearTimeout(timer);
    clearTimeout(abandon);
  }
}

/**
 * Waits for `work`, or throws `SectionCut` as soon as `signal` aborts; whatever `work` yields after that is handed to
 * `dispose`, so a setup step that cannot be interrupted (starting a server) still gets cleaned up.
 */
export async function abortable<T>(work: Promise<T>, signal: AbortSignal, dispose: (value: T) => Promise<void>): Promise<T> {
  throwIfCut(signal);
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(new SectionCut(String(signal.reason ?? 'time is up')));
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work, aborted]);
  } catch (error) {
    if (signal.aborted) work.then(dispose, () => undefined);
    throw error;
  } finally {
    signal.removeEventListener('abort', onAbort!);
  }
}
