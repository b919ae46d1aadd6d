import type { Capability } from '../capabilities/capability.ts';

/**
 * Product recommendations (おすすめ商品) from co-purchases over the workspace's completed orders,
 * with a popularity fallback; computed on read, so it owns no tables.
 */
export const recommendationsCapability: Capability = {
  name: 'recommendations',
  routes: async () => (await import('./routes.ts')).registerRecommendationRoutes,
};
