import type { Capability } from '../capabilities/capability.ts';

/** Liveness and readiness probes. */
export const healthCapability: Capability = {
  name: 'health',
  routes: async () => (await import('./routes.ts')).registerHealthRoutes,
};
