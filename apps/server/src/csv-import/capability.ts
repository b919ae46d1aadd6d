import type { Capability } from '../capabilities/capability.ts';

/** Bulk import of customers and orders from CSV files. */
export const csvImportCapability: Capability = {
  name: 'csv-import',
  cli: [
    {
      command: 'import',
      usage: `import customers|orders FILE [--format kizuna|shopify] [--skip-invalid] [--workspace ID]
                          import a CSV file (all or nothing unless --skip-invalid)`,
      run: async (args, context) => (await import('./cli.ts')).runImportCli(args, context),
    },
  ],
};
