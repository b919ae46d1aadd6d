import type { Capability } from '../capabilities/capability.ts';

/** Orders, their lines and history. */
export const ordersCapability: Capability = {
  name: 'orders',
  routes: async () => (await import('./routes.ts')).registerOrderRoutes,
  customerData: [{ table: 'customer_order', onMerge: 'move' }],
};
