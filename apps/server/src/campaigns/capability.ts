import type { Capability } from '../capabilities/capability.ts';

/**
 * Campaigns (一斉配信): one-off sends to a segment or a customer list, now or scheduled, with a
 * holdout and A/B variants; their results and lift. See README.md.
 */
export const campaignsCapability: Capability = {
  name: 'campaigns',
  routes: async () => (await import('./routes.ts')).registerCampaignRoutes,
  jobs: async () => (await import('./campaign-jobs.ts')).CAMPAIGN_JOBS,
  customerData: [
    // Who was in which group of which campaign: the experiment's record of the person.
    { table: 'campaign_recipient', onMerge: 'custom' },
  ],
  mergeCustomers: async (...args) => (await import('./merge-campaigns.ts')).mergeCampaignRecipients(...args),
};
