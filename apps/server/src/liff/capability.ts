import type { Capability } from '../capabilities/capability.ts';

/** The LIFF member app's server side: LINE Login sessions for members, their card and survey. */
export const liffCapability: Capability = {
  name: 'liff',
  routes: async () => (await import('./routes.ts')).registerLiffRoutes,
  cli: [
    {
      command: 'liff',
      usage: `liff insert-qr --orders FILE [--out sheet.pdf]
                          a printable sheet of insert QR codes (同梱物), one per order`,
      run: async (args) => (await import('./insert-cli.ts')).runLiffCli(args),
    },
  ],
  customerData: [
    { table: 'liff_member_session', onMerge: 'move', onExport: 'omit' },
    { table: 'liff_survey_response', onMerge: 'custom' },
    // A claim is history of the order's person: it follows them to the survivor.
    { table: 'liff_insert_claim', onMerge: 'move' },
  ],
  mergeCustomers: async (...args) => (await import('./merge-liff.ts')).mergeLiff(...args),
};
