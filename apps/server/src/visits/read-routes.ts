// GET /v1/visits (writing is routes.ts's batch).
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
import { listVisits, VisitView } from './read-visits.ts';

export function registerVisitReadRoutes(app: App, deps: RouteDeps): void {
  const { db } = deps.database;
  app.get(
    '/v1/visits',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['visits'],
        summary: 'List store visits, newest first (by visitedAt, then id)',
        querystring: Type.Object(
          {
            customerId: Type.Optional(
              RowId("Only this customer's visits (a merged-away id lists its survivor's)"),
            ),
            storeCode: TextFilter(100, 'Only visits to this store'),
            from: RangeBound('Visited at or after this instant'),
            to: RangeBound('Visited before this instant'),
            limit: PageLimit,
            cursor: PageCursor,
          },
          { additionalProperties: false },
        ),
        response: { 200: Page(VisitView) },
      },
    },
    async (request) => {
      const { limit, cursor, from, to, ...filter } = request.query;
      return listVisits(
        db,
        principalOf(request).workspaceId,
        { ...filter, ...parseRange({ from, to }) },
        { limit: limit ?? 50, cursor },
      );
    },
  );
}
