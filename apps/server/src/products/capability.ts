import type { Capability } from '../capabilities/capability.ts';

/** The product catalogue. */
export const productsCapability: Capability = {
  name: 'products',
  routes: async () => (await import('./routes.ts')).registerProductRoutes,
};
