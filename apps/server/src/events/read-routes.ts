// GET /v1/events (writing is routes.ts's batch).
import { Type } from 'typebox';
import { principalOf } from '../http/auth.ts';
import type { App, RouteDeps } from '../http/route-deps.ts';
import {
  Page,
  PageCursor,
  PageLimit,
  parseRange,
  RangeBound,
  RowId,
  TextFilter,
} from '../shared/page-schema.ts';
import { EventView, listEvents } from './read-events.ts';

export function registerEventReadRoutes(app: App, deps: RouteDeps): void {
  const { db } = deps.database;
  app.get(
    '/v1/events',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['events'],
        summary: 'List events, newest first (by occurredAt, then id)',
        querystring: Type.Object(
          {
            customerId: Type.Optional(
              RowId("Only this customer's events (a merged-away id lists its survivor's)"),
            ),
            type: TextFilter(67, 'Only events of this type (page_view, custom:line.message, …)'),
            from: RangeBound('Occurred at or after this instant'),
            to: RangeBound('Occurred before this instant'),
            limit: PageLimit,
            cursor: PageCursor,
          },
          { additionalProperties: false },
        ),
        response: { 200: Page(EventView) },
      },
    },
    async (request) => {
      const { limit, cursor, from, to, ...filter } = request.query;
      return listEvents(
        db,
        principalOf(request).workspaceId,
        { ...filter, ...parseRange({ from, to }) },
        { limit: limit ?? 50, cursor },
      );
    },
  );
}
