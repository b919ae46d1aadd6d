import type { Capability } from '../capabilities/capability.ts';

/**
 * The channel-neutral send core (outbox, retry keys, decisions). Its routes and jobs are the
 * channels' own (LINE's send routes and delivery job); it owns the outbox's customer rows, which
 * move to the survivor of a merge so the survivor's message history is whole.
 */
export const messagingCapability: Capability = {
  name: 'messaging',
  customerData: [{ table: 'line_outbox', onMerge: 'move' }],
};
