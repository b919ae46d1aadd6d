import type { JobDefinition } from '../jobs/job-types.ts';
import { pruneLoginThrottle } from './login-throttle.ts';
import { prunePasswordResets } from './password-resets.ts';

/** Housekeeping of account tables (expired sessions have their own job, `sessions-cleanup`). */
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
];
