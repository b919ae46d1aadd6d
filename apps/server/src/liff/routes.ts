// LIFF REST API: the member side (a session from an ID token, then /v1/liff/me/*) and the staff
// side (LIFF app settings, the survey).
import type { App, RouteDeps } from '../http/route-deps.ts';
import { registerLiffAdminRoutes } from './admin-routes.ts';
import { registerInsertRoutes } from './insert-routes.ts';
import { installMemberAuth } from './member-auth.ts';
import { registerMemberRoutes } from './member-routes.ts';

export function registerLiffRoutes(app: App, deps: RouteDeps): void {
  // The hook first: it covers only routes registered after it.
  installMemberAuth(app, deps.database.db, deps.clock);
  registerMemberRoutes(app, deps);
  registerLiffAdminRoutes(app, deps);
  registerInsertRoutes(app, deps);
}
