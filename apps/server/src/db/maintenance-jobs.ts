import { sql } from 'kysely';
import type { JobDefinition } from '../jobs/job-types.ts';

export const MAINTENANCE_JOBS: JobDefinition[] = [
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
];
