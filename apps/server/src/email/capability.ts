import type { Capability } from '../capabilities/capability.ts';

/**
 * Email: the second channel of the messaging core (sends, outbox and decisions are the core's).
 * It owns the sender, templates, per-message events (opens, bounces, complaints, unsubscribes)
 * and the suppression list. A message's events move to the survivor of a merge with the outbox
 * rows they describe; the suppression list is keyed by address, not customer.
 */
export const emailCapability: Capability = {
  name: 'email',
  routes: async () => (await import('./email-routes.ts')).registerEmailRoutes,
  jobs: async () => (await import('./email-jobs.ts')).EMAIL_JOBS,
  cli: [
    {
      command: 'email',
      usage: `email dkim|test         email sender setup: DNS records (DKIM, SPF, DMARC), a test mail
                          (kizuna email dkim [--rotate|--activate] [--workspace ID]; kizuna email test --to ADDRESS)`,
      run: async (args) => (await import('./email-cli.ts')).runEmailCli(args),
    },
  ],
  customerData: [{ table: 'email_event', onMerge: 'move' }],
};
