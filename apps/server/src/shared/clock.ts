// The one source of business time. Handlers, jobs, the send policy, the journey engine and the
// channels read `clock.now()`; nothing reads `Date.now()` or `new Date()` for business time.
// Tests and demos swap in a SimulatedClock so a 30-day journey runs in seconds and every instant
// is exact (jobs/simulated-time.ts makes pg-boss follow a simulated clock).

/** Where business time comes from. */
export interface Clock {
  /** The current business instant. */
  now(): Date;
}

/** The wall clock. */
export const systemClock: Clock = { now: () => new Date() };

/**
 * A clock that moves only when told to. `advanceBy` and `setTo` never go backwards: time that
 * ran backwards would let a cap window or a due step happen twice.
 *
 * @example
 * const clock = new SimulatedClock(new Date('2027-01-01T10:00:00+09:00'));
 * clock.advanceBy(3 * 86_400_000); // three days later
 */
export class SimulatedClock implements Clock {
  #ms: number;
  constructor(start: Date = new Date()) {
    this.#ms = start.getTime();
  }
  now(): Date {
    return new Date(this.#ms);
  }
  /** Moves forward by `ms` milliseconds (≥ 0). */
  advanceBy(ms: number): Date {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`advanceBy: ${ms} is not a duration ≥ 0`);
    this.#ms += ms;
    return this.now();
  }
  /** Moves to `instant`, which must not be earlier than now. */
  setTo(instant: Date): Date {
    const ms = instant.getTime();
    if (!Number.isFinite(ms)) throw new RangeError('setTo: not a valid instant');
    if (ms < this.#ms)
      throw new RangeError(`setTo: ${instant.toISOString()} is before ${this.now().toISOString()}`);
    this.#ms = ms;
    return this.now();
  }
}

/** The clock a job context or route deps carry, or the wall clock. */
export function clockOf(holder: { clock?: Clock | undefined }): Clock {
  return holder.clock ?? systemClock;
}
