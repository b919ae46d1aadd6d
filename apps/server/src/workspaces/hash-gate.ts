import { DomainError } from '../shared/domain-error.ts';

/**
 * A semaphore for password hashing. Each scrypt hash holds 128 MiB and a thread of libuv's pool
 * for a few hundred milliseconds, so unbounded concurrent logins exhaust memory and push real
 * logins behind an attacker's. The gate runs at most `concurrency` hashes at once and queues up
 * to `queueLimit` more; beyond that a caller that may be refused (an HTTP request) gets a 429 at
 * once instead of waiting, while internal callers (CLI, demo loader) simply wait their turn.
 */
export interface HashGate {
  run<T>(work: () => Promise<T>, options?: { mayRefuse?: boolean }): Promise<T>;
  /** Hashes running and waiting now, and the most of each at once since the last reset (for tests and metrics). */
  stats(): { active: number; queued: number; peakActive: number; peakQueued: number };
  resetPeaks(): void;
}

export function createHashGate(options: { concurrency: number; queueLimit: number }): HashGate {
  let active = 0;
  let peakActive = 0;
  let peakQueued = 0;
  const waiting: (() => void)[] = [];
  const release = () => {
    active--;
    const next = waiting.shift();
    if (next) next();
  };
  const acquire = (mayRefuse: boolean): Promise<void> => {
    if (active < options.concurrency) {
      active++;
      peakActive = Math.max(peakActive, active);
      return Promise.resolve();
    }
    if (mayRefuse && waiting.length >= options.queueLimit) {
      throw new DomainError('rate_limited', 'too many password checks at once; try again in a moment', [], {
        retryAfterSeconds: 2,
      });
    }
    return new Promise((resolve) => {
      waiting.push(() => {
        active++;
        peakActive = Math.max(peakActive, active);
        resolve();
      });
      peakQueued = Math.max(peakQueued, waiting.length);
    });
  };
  return {
    async run(work, { mayRefuse = false } = {}) {
      await acquire(mayRefuse);
      try {
        return await work();
      } finally {
        release();
      }
    },
    stats: () => ({ active, queued: waiting.length, peakActive, peakQueued }),
    resetPeaks: () => {
      peakActive = active;
      peakQueued = waiting.length;
    },
  };
}

/**
 * The process's one gate. Two hashes at once keep a login under a second on a 2-core machine and
 * cap hashing memory at 256 MiB; sixteen waiting is about three seconds of queue.
 */
export const PASSWORD_HASHING: HashGate = createHashGate({ concurrency: 2, queueLimit: 16 });
