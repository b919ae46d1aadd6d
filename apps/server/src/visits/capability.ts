import type { Capability } from '../capabilities/capability.ts';

/** Store visits. */
export const visitsCapability: Capability = {
  name: 'visits',
  routes: async () => (await import('./routes.ts')).registerVisitRoutes,
  customerData: [{ table: 'visit', onMerge: 'move' }],
};
