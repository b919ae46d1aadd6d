import type { Capability } from '../capabilities/capability.ts';

/**
 * The channel-neutral send core (outbox, retry keys, decisions, the send policy). Its delivery
 * routes and jobs are the channels' own (LINE's send routes and delivery job); its own route is
 * the send policy. It owns the outbox's customer rows, which move to the survivor of a merge so
 * the survivor's message history is whole, and the cap's ledger, which moves too (the survivor
 * has had the merged record's messages); a merged record's cap lock row holds nothing and is
 * dropped.
 */
export const messagingCapability: Capability = {
  name: 'messaging',
  routes: async () => (await import('./policy-routes.ts')).registerPolicyRoutes,
  customerData: [
    { table: 'message_outbox', onMerge: 'move' },
    { table: 'messaging_cap_ledger', onMerge: 'move' },
    { table: 'messaging_cap_lock', onMerge: 'drop' },
  ],
};
