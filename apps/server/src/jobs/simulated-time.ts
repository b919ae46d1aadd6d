// Simulated business time for tests and demos (KIZUNA_CLOCK=simulated): Kizuna's clock and
// pg-boss's clock are one pg-boss TestClock, so a job sent with `startAfter` three days ahead runs
// when the simulated clock passes that instant, and pg-boss's own SQL (`job_now()`) agrees with
// JavaScript on what "now" is. Kizuna's business SQL takes its instants as parameters from
// `clock.now()`, never from the database's now().
import { TestClock } from 'pg-boss';
import type { Clock } from '../shared/clock.ts';

/** A clock that can be moved forward, by the dev clock route or a test. */
export interface ClockControl {
  readonly clock: Clock;
  /** Moves forward by `ms` (≥ 0), firing the job system's timers the jump passed. */
  advanceBy(ms: number): Promise<Date>;
  /** Moves to `instant` (not earlier than now). */
  setTo(instant: Date): Promise<Date>;
}

export interface SimulatedTime extends ClockControl {
  /** The clock pg-boss runs on (pass as its `clock` option). */
  readonly bossClock: TestClock;
  /**
   * Lets simulated time flow at wall speed (one tick of `stepMs` every `stepMs` of wall time), so
   * a running server polls and runs jobs as usual between jumps. Returns a stopper.
   */
  flow(stepMs?: number): () => void;
}

/** A serial lane so that a flow tick and a jump never move the TestClock at the same time. */
function serialLane(): <T>(work: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return (work) => {
    const next = tail.then(work, work);
    tail = next.catch(() => undefined);
    return next;
  };
}

/**
 * Simulated time starting at `start`.
 *
 * @example
 * const time = createSimulatedTime(new Date('2027-01-01T10:00:00+09:00'));
 * const jobs = await startJobs(database, JOBS, { ...options, simulatedTime: time });
 * await time.advanceBy(3 * 86_400_000); // jobs due in three days run now
 */
export function createSimulatedTime(start: Date): SimulatedTime {
  const bossClock = new TestClock(start);
  const clock: Clock = { now: () => new Date(bossClock.now()) };
  const lane = serialLane();
  const setTo = (instant: Date) =>
    lane(async () => {
      const ms = instant.getTime();
      if (!Number.isFinite(ms)) throw new RangeError('setTo: not a valid instant');
      if (ms < bossClock.now())
        throw new RangeError(`setTo: ${instant.toISOString()} is before ${clock.now().toISOString()}`);
      // setTime fires nothing; the tick after it runs each timer the jump passed, once.
      await bossClock.setTime(ms);
      await bossClock.tick(0);
      return clock.now();
    });
  return {
    clock,
    bossClock,
    setTo,
    advanceBy: (ms) => {
      if (!Number.isFinite(ms) || ms < 0)
        return Promise.reject(new RangeError(`advanceBy: ${ms} is not a duration ≥ 0`));
      return setTo(new Date(bossClock.now() + ms));
    },
    flow(stepMs = 250) {
      let busy = false;
      // A wall-clock timer by design: it is what moves the simulated clock along.
      const timer = setInterval(() => {
        if (busy) return;
        busy = true;
        void lane(() => bossClock.tick(stepMs)).finally(() => {
          busy = false;
        });
      }, stepMs);
      timer.unref();
      return () => clearInterval(timer);
    },
  };
}
