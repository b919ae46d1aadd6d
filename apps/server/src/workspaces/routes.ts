import type { App, RouteDeps } from '../http/route-deps.ts';
import { registerApiKeyRoutes } from './api-key-routes.ts';
import { registerAuthRoutes } from './auth-routes.ts';
import { registerMemberRoutes } from './member-routes.ts';

/** Accounts and access: login and sessions, members and invitations, API keys. */
export function registerWorkspaceRoutes(app: App, deps: RouteDeps): void {
  registerAuthRoutes(app, deps);
  registerMemberRoutes(app, deps);
  registerApiKeyRoutes(app, deps);
}
