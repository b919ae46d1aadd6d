import type { Capability } from '../capabilities/capability.ts';

/** Segments and their membership. */
export const segmentsCapability: Capability = {
  name: 'segments',
  routes: async () => (await import('./routes.ts')).registerSegmentRoutes,
  jobs: async () => (await import('./segment-jobs.ts')).SEGMENT_JOBS,
  // Membership is derived: the recompute after customers.changed settles the survivor's, and the
  // merged records (tombstones) leave their segments there.
  customerData: [
    { table: 'segment_member', onMerge: 'recompute' },
    { table: 'segment_membership_event', onMerge: 'recompute' },
  ],
};
