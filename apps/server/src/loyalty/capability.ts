import type { Capability } from '../capabilities/capability.ts';

/** Points, tiers, coupons and stamp cards. */
export const loyaltyCapability: Capability = {
  name: 'loyalty',
  routes: async () => (await import('./routes.ts')).registerLoyaltyRoutes,
  jobs: async () => (await import('./jobs.ts')).LOYALTY_JOBS,
  cli: [
    {
      command: 'loyalty',
      usage: `loyalty rules|member|adjust|grant-coupon|expire|daily|card-key
                          loyalty operator commands (kizuna loyalty help)`,
      run: async (args) => (await import('./cli.ts')).runLoyaltyCli(args),
    },
  ],
  // A member's balance, lots and ledger only make sense together: mergeLoyalty merges them.
  customerData: [
    { table: 'loyalty_member', onMerge: 'custom' },
    { table: 'point_entry', onMerge: 'custom' },
    { table: 'point_lot', onMerge: 'custom' },
    { table: 'coupon', onMerge: 'custom' },
    { table: 'stamp_card', onMerge: 'custom' },
    { table: 'stamp_entry', onMerge: 'custom' },
    { table: 'tier_change', onMerge: 'custom' },
    // Why a rule's coupon was not granted: history of the person, re-pointed like their orders.
    { table: 'coupon_grant_skip', onMerge: 'move' },
  ],
  mergeCustomers: async (...args) => (await import('./merge-loyalty.ts')).mergeLoyalty(...args),
  mergePreview: async (...args) => (await import('./merge-loyalty-preview.ts')).previewLoyaltyMerge(...args),
  customerSearch: async () => (await import('./member-search.ts')).memberNumberSearch,
};
