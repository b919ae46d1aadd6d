import type { Capability } from '../capabilities/capability.ts';

/**
 * Liquid message templates (personalised content): a strict engine, the variables a template
 * can use (loaded set-based for an audience), save-time validation and audience rendering.
 * A library for campaigns, journeys and the channels; it owns no tables and no routes.
 */
export const templatesCapability: Capability = {
  name: 'templates',
};
