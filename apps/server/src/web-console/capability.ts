import type { Capability } from '../capabilities/capability.ts';

/** Serves the web console (apps/console, built into its dist/) at `/`, beside the API at /v1. */
export const webConsoleCapability: Capability = {
  name: 'web-console',
  routes: async () => (await import('./routes.ts')).registerWebConsoleRoutes,
};
