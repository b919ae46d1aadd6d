import type { Capability } from '../capabilities/capability.ts';

/** Behavioural events (page views, app opens, custom events). */
export const eventsCapability: Capability = {
  name: 'events',
  routes: async () => (await import('./routes.ts')).registerEventRoutes,
  customerData: [{ table: 'event', onMerge: 'move' }],
};
