// Loyalty REST API, one file per resource. Scopes: reading needs `read`; the till's operations
// (stamp, redeem, void, scan, minting a card payload) need `till`, which staff have; changing
// rules, templates, grants and manual adjustments need `admin`. Handlers only parse, call one
// domain function and return its result.
import type { App, RouteDeps } from '../http/route-deps.ts';
import { registerCouponRoutes } from './coupon-routes.ts';
import { registerMemberRoutes } from './member-routes.ts';
import { registerRulesRoutes } from './rules-routes.ts';
import { registerStampCardRoutes } from './stamp-card-routes.ts';
import { registerTemplateEditRoutes } from './template-edit-routes.ts';
import { registerTillRoutes } from './till-routes.ts';

export function registerLoyaltyRoutes(app: App, deps: RouteDeps): void {
  registerRulesRoutes(app, deps);
  registerMemberRoutes(app, deps);
  registerCouponRoutes(app, deps);
  registerStampCardRoutes(app, deps);
  registerTemplateEditRoutes(app, deps);
  registerTillRoutes(app, deps);
}
