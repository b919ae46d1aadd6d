import { Type } from 'typebox';
import type { App, RouteDeps } from '../http/route-deps.ts';
import { registerBatchRoute } from '../ingest/batch-route.ts';
import { EventInput, type EventInput as EventInputType } from './event-schema.ts';
import { type EventOutcome, insertEvents } from './insert-events.ts';
import { registerEventReadRoutes } from './read-routes.ts';

export function registerEventRoutes(app: App, deps: RouteDeps): void {
  registerBatchRoute<EventInputType, EventOutcome>(app, deps, {
    path: '/v1/events',
    field: 'events',
    tag: 'events',
    summary:
      'Record events (page_view, login, message_open, inquiry, reservation, custom:…); up to 1,000 per request',
    item: EventInput,
    result: Type.Object({ id: Type.Union([Type.Integer(), Type.Null()]), outcome: Type.String() }),
    write: insertEvents,
  });
  registerEventReadRoutes(app, deps);
}
