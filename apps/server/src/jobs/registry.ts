import { sql } from 'kysely';
import { ANALYTICS_JOBS } from '../analytics/analytics-jobs.ts';
import { LINE_JOBS } from '../line/line-jobs.ts';
import { LOYALTY_JOBS } from '../loyalty/jobs.ts';
import { segmentsRecomputeJob, segmentsRefreshJob } from '../segments/segment-jobs.ts';
import { AUTH_JOBS } from '../workspaces/auth-jobs.ts';
import type { JobDefinition } from './job-types.ts';

/** Every job Kizuna runs. Capabilities add theirs here. */
export const JOBS: JobDefinition[] = [
  segmentsRecomputeJob,
  segmentsRefreshJob,
  ...ANALYTICS_JOBS,
  {
    // PostgreSQL's autovacuum keeps planner statistics fresh; the embedded PGlite has none, and
    // without statistics the planner picks nested loops over whole tables. Harmless on PostgreSQL.
    name: 'database-analyze',
    schedule: '23 * * * *',
    run: async (_data, { database, logger }) => {
      const started = Date.now();
      await sql`analyze`.execute(database.db);
      logger.info({ ms: Date.now() - started }, 'planner statistics refreshed');
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
  ...LOYALTY_JOBS,
  ...LINE_JOBS,
  ...AUTH_JOBS,
];
