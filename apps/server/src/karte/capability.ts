import type { Capability } from '../capabilities/capability.ts';

/**
 * The karte (カルテ): one customer's page, read from the capabilities that own each part. It
 * owns no tables; it merges orders, visits, events, consent and messages into a timeline and
 * gathers segments, loyalty and CLV into a summary.
 */
export const karteCapability: Capability = {
  name: 'karte',
  routes: async () => (await import('./routes.ts')).registerKarteRoutes,
};
