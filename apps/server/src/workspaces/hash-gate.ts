import { DomainError } from '../shared/domain-error.ts';

/**
 * A semaphore for password hashing. Each scrypt hash holds 128 MiB and a thread of libuv's pool
 * for a few hundred milliseconds, so unbounded concurrent logins exhaust memory and push real
 * logins behind an attacker's. The gate runs at most `concurrency` hashes at once and queues up
 * to `queueLimit` more per priority; beyond that a caller that may be refused (an HTTP request)
 * gets a 429 at once instead of waiting, while internal callers (CLI, demo loader) wait their turn.
 *
 * Two queues: `high` (a client that has not been failing, a token holder, a logged-in user) is
 * always served before `low` (a client with recent failed logins), and `low` may hold only
 * `lowConcurrency` of the running slots. Guessing streams keep the low queue full; first come,
 * first served, a real login waited behind every one of them (measured: 45 s behind 16 streams
 * on a loaded 2-core machine). Now it waits only for other clients' first attempts.
 *
 * A third queue, `trusted`, is served before both: a login from a browser holding a device cookie
 * for that account (device-cookies.ts). Many new guessing addresses at once are all `high` on their
 * first attempt; a returning user then waits for one running hash, not for all of theirs.
 */
export type HashPriority = 'trusted' | 'high' | 'low';

const PRIORITIES: readonly HashPriority[] = ['trusted', 'high', 'low'];

export interface HashGate {
  run<T>(work: () => Promise<T>, options?: { mayRefuse?: boolean; priority?: HashPriority }): Promise<T>;
  /** Hashes running and waiting now, and the most of each at once since the last reset (for tests and metrics). */
  stats(): { active: number; queued: number; peakActive: number; peakQueued: number };
  resetPeaks(): void;
}

export function createHashGate(options: {
  concurrency: number;
  queueLimit: number;
  /** At most this many of the running hashes may be `low` (default: all). */
  lowConcurrency?: number;
}): HashGate {
  const lowLimit = options.lowConcurrency ?? options.concurrency;
  const running: Record<HashPriority, number> = { trusted: 0, high: 0, low: 0 };
  let peakActive = 0;
  let peakQueued = 0;
  const waiting: Record<HashPriority, (() => void)[]> = { trusted: [], high: [], low: [] };
  const active = () => running.trusted + running.high + running.low;
  const queued = () => waiting.trusted.length + waiting.high.length + waiting.low.length;
  const mayStart = (priority: HashPriority) =>
    active() < options.concurrency && (priority !== 'low' || running.low < lowLimit);
  const start = (priority: HashPriority) => {
    running[priority]++;
    peakActive = Math.max(peakActive, active());
  };
  const dispatch = () => {
    for (const priority of PRIORITIES) {
      while (waiting[priority].length && mayStart(priority)) waiting[priority].shift()!();
    }
  };
  const acquire = (mayRefuse: boolean, priority: HashPriority): Promise<void> => {
    // A caller may start at once only when nobody of its own or a higher priority is waiting.
    const ahead = PRIORITIES.slice(0, PRIORITIES.indexOf(priority) + 1).some((p) => waiting[p].length > 0);
    if (!ahead && mayStart(priority)) {
      start(priority);
      return Promise.resolve();
    }
    const queue = waiting[priority];
    if (mayRefuse && queue.length >= options.queueLimit) {
      throw new DomainError('rate_limited', 'too many password checks at once; try again in a moment', [], {
        retryAfterSeconds: 2,
      });
    }
    return new Promise((resolve) => {
      queue.push(() => {
        start(priority);
        resolve();
      });
      peakQueued = Math.max(peakQueued, queued());
    });
  };
  return {
    async run(work, { mayRefuse = false, priority = 'high' } = {}) {
      await acquire(mayRefuse, priority);
      try {
        return await work();
      } finally {
        running[priority]--;
        dispatch();
      }
    },
    stats: () => ({ active: active(), queued: queued(), peakActive, peakQueued }),
    resetPeaks: () => {
      peakActive = active();
      peakQueued = queued();
    },
  };
}

/**
 * The process's one gate. Two hashes at once keep a login under a second on a 2-core machine and
 * cap hashing memory at 256 MiB; sixteen waiting is about three seconds of queue. Clients that
 * have been failing get one of the two slots at most, so a real login never waits for a guess.
 */
export const PASSWORD_HASHING: HashGate = createHashGate({
  concurrency: 2,
  queueLimit: 16,
  lowConcurrency: 1,
});
