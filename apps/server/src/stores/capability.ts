import type { Capability } from '../capabilities/capability.ts';

/** A workspace's shops. */
export const storesCapability: Capability = {
  name: 'stores',
  routes: async () => (await import('./routes.ts')).registerStoreRoutes,
};
