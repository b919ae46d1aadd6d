import { DomainError } from '../shared/domain-error.ts';

/**
 * A semaphore for password hashing. Each scrypt hash holds 128 MiB and a thread of libuv's pool
 * for a few hundred milliseconds, so unbounded concurrent logins exhaust memory and push real
 * logins behind an attacker's. The gate runs at most `concurrency` hashes at once and queues up
 * to `queueLimit` more per priority; beyond that a caller that may be refused (an HTTP request)
 * gets a 429 at once instead of waiting, while internal callers (CLI, demo loader) wait their turn.
 *
 * Two queues: `high` (a client that has not been failing, a token holder, a logged-in user) is
 * always served before `low` (a client with recent failed logins). Guessing streams keep the low
 * queue full, and without priorities a real login would wait behind every one of them (measured:
 * 45 s behind 16 streams on a loaded 2-core machine); with them it waits for one running hash.
 */
export type HashPriority = 'high' | 'low';

export interface HashGate {
  run<T>(work: () => Promise<T>, options?: { mayRefuse?: boolean; priority?: HashPriority }): Promise<T>;
  /** Hashes running and waiting now, and the most of each at once since the last reset (for tests and metrics). */
  stats(): { active: number; queued: number; peakActive: number; peakQueued: number };
  resetPeaks(): void;
}

export function createHashGate(options: { concurrency: number; queueLimit: number }): HashGate {
  let active = 0;
  let peakActive = 0;
  let peakQueued = 0;
  const waiting: Record<HashPriority, (() => void)[]> = { high: [], low: [] };
  const queued = () => waiting.high.length + waiting.low.length;
  const start = () => {
    active++;
    peakActive = Math.max(peakActive, active);
  };
  const release = () => {
    active--;
    const next = waiting.high.shift() ?? waiting.low.shift();
    if (next) next();
  };
  const acquire = (mayRefuse: boolean, priority: HashPriority): Promise<void> => {
    if (active < options.concurrency) {
      start();
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
        start();
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
        release();
      }
    },
    stats: () => ({ active, queued: queued(), peakActive, peakQueued }),
    resetPeaks: () => {
      peakActive = active;
      peakQueued = queued();
    },
  };
}

/**
 * The process's one gate. Two hashes at once keep a login under a second on a 2-core machine and
 * cap hashing memory at 256 MiB; sixteen waiting is about three seconds of queue.
 */
export const PASSWORD_HASHING: HashGate = createHashGate({ concurrency: 2, queueLimit: 16 });
