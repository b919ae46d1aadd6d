import { sql } from 'kysely';
import type { JobDefinition } from '../jobs/job-types.ts';
import { pruneLoginThrottle } from './login-throttle.ts';
import { prunePasswordResets } from './password-resets.ts';

/** Housekeeping of account tables: expired sessions, stale login counters and reset links. */
export const AUTH_JOBS: JobDefinition[] = [
  {
    name: 'auth-cleanup',
    schedule: '41 * * * *',
    run: async (_data, { database, logger }) => {
      const throttleCounters = await pruneLoginThrottle(database.db);
      const passwordResets = await prunePasswordResets(database.db);
      logger.info({ throttleCounters, passwordResets }, 'stale login counters and reset links removed');
    },
  },
  {
    name: 'sessions-cleanup',
    schedule: '17 * * * *',
    run: async (_data, { database, logger }) => {
      const result =
        await sql`delete from user_session where expires_at < now() or last_seen_at < now() - interval '1 day'`.execute(
          database.db,
        );
      logger.info({ deleted: Number(result.numAffectedRows ?? 0) }, 'expired sessions removed');
    },
  },
];
