// LINE REST API, one file per resource: channels and account links, sends, rich menus, webhook
// events, friends, beacons, and the raw webhook endpoint.
import type { App, RouteDeps } from '../http/route-deps.ts';
import { registerBeaconRoutes } from './beacon-routes.ts';
import { registerChannelRoutes } from './channel-routes.ts';
import { registerFriendRoutes } from './friend-routes.ts';
import { registerRichMenuRoutes } from './rich-menu-routes.ts';
import { registerSendRoutes } from './send-routes.ts';
import { registerWebhookEventRoutes } from './webhook-event-routes.ts';
import { registerLineRawRoutes } from './webhook-route.ts';

export function registerLineRoutes(app: App, deps: RouteDeps): void {
  registerLineRawRoutes(app, deps);
  registerRichMenuRoutes(app, deps);
  registerWebhookEventRoutes(app, deps);
  registerChannelRoutes(app, deps);
  registerSendRoutes(app, deps);
  registerFriendRoutes(app, deps);
  registerBeaconRoutes(app, deps);
}
