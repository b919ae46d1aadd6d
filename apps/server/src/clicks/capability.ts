import type { Capability } from '../capabilities/capability.ts';

/**
 * Click tracking for every channel: URLs in sent messages become signed Kizuna redirects
 * (`GET /r/:token`) that record who clicked what, when.
 */
export const clicksCapability: Capability = {
  name: 'clicks',
  routes: async () => (await import('./routes.ts')).registerClickRoutes,
  customerData: [
    // A click is what the person did: the survivor of a merge did it.
    { table: 'link_click', onMerge: 'move' },
  ],
};
