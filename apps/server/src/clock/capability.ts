import type { Capability } from '../capabilities/capability.ts';

/**
 * Business time as a capability: GET /v1/dev/clock tells it, and with simulated time
 * (KIZUNA_CLOCK=simulated) POST /v1/dev/clock moves it forward (see shared/clock.ts and
 * jobs/simulated-time.ts). It owns no tables.
 */
export const clockCapability: Capability = {
  name: 'clock',
  routes: async () => (await import('./clock-routes.ts')).registerClockRoutes,
  customerData: [],
};
