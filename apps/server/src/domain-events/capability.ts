import type { Capability } from '../capabilities/capability.ts';

/**
 * The typed log of customer-level domain events that journeys consume. A merged customer's events
 * move to the survivor, so the survivor's history is whole; their order in the log is unchanged.
 */
export const domainEventsCapability: Capability = {
  name: 'domain-events',
  customerData: [{ table: 'domain_event', onMerge: 'move' }],
};
