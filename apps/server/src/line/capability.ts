import type { Capability } from '../capabilities/capability.ts';

/** LINE official accounts: webhooks, friends, account links, sends and rich menus. */
export const lineCapability: Capability = {
  name: 'line',
  routes: async () => (await import('./routes.ts')).registerLineRoutes,
  jobs: async () => (await import('./line-jobs.ts')).LINE_JOBS,
  cli: [
    {
      command: 'line-sandbox',
      usage: 'line-sandbox [--port N] run the local LINE platform sandbox',
      run: async (args) => (await import('@kizuna/line-sandbox/cli')).runLineSandboxCli(args),
    },
  ],
  customerData: [
    { table: 'line_friend', onMerge: 'move' },
    { table: 'line_account_link', onMerge: 'move' },
    { table: 'line_rich_menu_link', onMerge: 'move' },
    // Keyed by the LINE user, so a merge only re-points customer_id (no two rows can collide).
    { table: 'line_rich_menu_assignment', onMerge: 'move', onErase: 'delete', onExport: 'include' },
  ],
  customerSearch: async () => (await import('./friend-search.ts')).friendNameSearch,
};
