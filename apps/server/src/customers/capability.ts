import type { Capability } from '../capabilities/capability.ts';

/** Customers, their identities and consent. */
export const customersCapability: Capability = {
  name: 'customers',
  routes: async () => (await import('./routes.ts')).registerCustomerRoutes,
  customerData: [
    // Moved by mergeCustomers itself, whose merge record lists the identities that moved.
    { table: 'customer_identity', onMerge: 'custom' },
    { table: 'customer_consent', onMerge: 'custom' },
    { table: 'consent_event', onMerge: 'move' },
  ],
  mergeCustomers: async (...args) => (await import('./consent.ts')).mergeConsentStates(...args),
};
