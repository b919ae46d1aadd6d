import type { Capability } from '../capabilities/capability.ts';

/** The operator's side of the database: migrations and planner statistics. */
export const databaseCapability: Capability = {
  name: 'database',
  jobs: async () => (await import('./maintenance-jobs.ts')).MAINTENANCE_JOBS,
  cli: [
    {
      command: 'migrate',
      usage: 'migrate                 apply pending database migrations',
      run: async (args) => (await import('./migrate-cli.ts')).runMigrateCli(args),
    },
  ],
};
