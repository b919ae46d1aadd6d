import type { Capability } from '../capabilities/capability.ts';

/** Customer figures, CLV models and the reports built on them. */
export const analyticsCapability: Capability = {
  name: 'analytics',
  routes: async () => (await import('./routes.ts')).registerAnalyticsRoutes,
  jobs: async () => (await import('./analytics-jobs.ts')).ANALYTICS_JOBS,
  cli: [
    {
      command: 'clv',
      usage:
        'clv fit|predict|report|subscriptions  fit CLV models and predict from a summary or transaction CSV; subscription LTV per plan (from the database, or --subscriptions FILE)',
      // `clv subscriptions` without a file reads the database; every other form is the clv package's.
      run: async (args) =>
        args[0] === 'subscriptions' &&
        !args.some((a) => a === '--subscriptions' || a.startsWith('--subscriptions='))
          ? (await import('./subscriptions-cli.ts')).runSubscriptionsCli(args.slice(1))
          : (await (await import('@kizuna/clv/prebuilt')).loadClvCli()).runClvCli(args),
    },
  ],
  customerData: [
    { table: 'customer_stats', onMerge: 'custom' },
    // Predictions are refitted by the clv-refit job; until then the survivor keeps its own.
    { table: 'clv_prediction', onMerge: 'recompute' },
  ],
  mergeCustomers: async (...args) => (await import('./merge-customer-stats.ts')).mergeCustomerStats(...args),
};
