import type { Capability } from '../capabilities/capability.ts';

/** Workspaces, users, members, sessions and API keys. */
export const workspacesCapability: Capability = {
  name: 'workspaces',
  routes: async () => (await import('./routes.ts')).registerWorkspaceRoutes,
  jobs: async () => (await import('./auth-jobs.ts')).AUTH_JOBS,
  cli: [
    {
      command: 'init',
      usage: `init [--json] [--name N] [--email E]
                          create a workspace, its owner and an API key`,
      run: async (args) => (await import('./init-cli.ts')).runInitCli(args),
    },
    {
      command: 'users',
      usage: `users reset-password --email E
                          print a one-time link with which a user sets a new password`,
      run: async (args) => (await import('./users-cli.ts')).runUsersCli(args),
    },
  ],
};
