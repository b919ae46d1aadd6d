import type { Capability } from '../capabilities/capability.ts';

/** Friend-add attribution: tracked sources (posters, receipts, leaflets, …) and the report by source. */
export const attributionCapability: Capability = {
  name: 'attribution',
  routes: async () => (await import('./routes.ts')).registerAttributionRoutes,
  customerData: [{ table: 'customer_attribution', onMerge: 'custom' }],
  mergeCustomers: async (...args) => (await import('./merge-attribution.ts')).mergeAttribution(...args),
};
