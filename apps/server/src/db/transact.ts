import type { Kysely, Transaction } from 'kysely';
import { pgErrorCode, UNIQUE_VIOLATION } from '../shared/domain-error.ts';
import type { DB } from './schema.ts';

/** A conflict with a concurrent transaction that a retry resolves. */
export class RetryableConflict extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RetryableConflict';
  }
}

const RETRYABLE_PG_CODES = new Set(['40001', '40P01', UNIQUE_VIOLATION]);

/**
 * Runs `fn` in a transaction and retries it (up to `attempts` times) when it loses a race with a
 * concurrent one: a serialisation failure, a deadlock, a unique violation from a concurrent insert,
 * or a RetryableConflict. `fn` must be safe to run again from the start.
 */
export async function transact<T>(
  db: Kysely<DB>,
  fn: (tx: Transaction<DB>) => Promise<T>,
  attempts = 4,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction().execute(fn);
    } catch (error) {
      const retryable =
        error instanceof RetryableConflict || RETRYABLE_PG_CODES.has(pgErrorCode(error) ?? '');
      if (!retryable || attempt >= attempts) throw error;
    }
  }
}
