import type { Capability } from '../capabilities/capability.ts';

/** The demo cafe chain. */
export const demoCapability: Capability = {
  name: 'demo',
  cli: [
    {
      command: 'demo',
      usage:
        'demo                    load the demo cafe chain (3 stores, ~5,000 customers, 2 years of orders)',
      run: async (args) => (await import('./demo-cli.ts')).runDemoCli(args),
    },
  ],
};
