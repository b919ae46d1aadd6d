import type { Capability } from '../capabilities/capability.ts';

/**
 * Journeys (step delivery, ステップ配信): versioned definitions, runs entered from the domain event
 * stream or a date, advanced in batches by the engine. A run is a customer's history in a journey:
 * a merge moves the merged records' runs to the survivor, exiting those that would give the
 * survivor a second active run of the same journey and key (merge-runs.ts).
 */
export const journeysCapability: Capability = {
  name: 'journeys',
  routes: async () => (await import('./routes.ts')).registerJourneyRoutes,
  jobs: async () => (await import('./journey-jobs.ts')).JOURNEY_JOBS,
  cli: [
    {
      command: 'journeys',
      usage: `journeys list|show|pause|resume
                          journeys (ステップ配信): list, show one, pause or resume`,
      run: async (args) => (await import('./cli.ts')).runJourneysCli(args),
    },
  ],
  customerData: [{ table: 'journey_run', onMerge: 'custom' }],
  mergeCustomers: async (...args) => (await import('./merge-runs.ts')).mergeJourneyRuns(...args),
};
