import { Type } from 'typebox';
import { principalOf } from '../http/auth.ts';
import type { App, RouteDeps } from '../http/route-deps.ts';
import { Instant, Nullable, Yen } from '../shared/response-types.ts';
import { readOverview, STORED_FROM_CUSTOMERS } from './overview.ts';

const OverviewBody = Type.Object({
  customers: Type.Integer({ description: 'Live customers (merged records not counted)' }),
  buyers: Type.Integer({ description: 'Customers with at least one completed order' }),
  repeatBuyers: Type.Integer({ description: 'Customers with two or more completed orders' }),
  repeatRate: Nullable(Type.Number({ description: 'repeatBuyers / buyers (0–1); null without buyers' })),
  historicalLtv: Nullable(Yen('Completed-order revenue per buyer to date, integer yen')),
  predictedClv: Nullable(Yen('Mean predicted CLV of the customers with a prediction, integer yen')),
  lineFriends: Type.Integer({ description: 'LINE users following the workspace’s channels' }),
  lineBlocked: Type.Integer({ description: 'LINE users who blocked them' }),
  computedAt: Instant('When the figures were counted (see freshness)'),
  freshness: Type.Union([Type.Literal('live'), Type.Literal('hourly')], {
    description: `live: counted at this request (a workspace under ${STORED_FROM_CUSTOMERS.toLocaleString('en')} customers); hourly: from ${STORED_FROM_CUSTOMERS.toLocaleString('en')} on, the figures of the last analytics refresh (every hour, and POST /v1/analytics/refresh), since counting every row takes about 0.5 s at 1M`,
  }),
});

/** GET /v1/analytics/overview: the dashboard's headline figures in one call. */
export function registerOverviewRoute(app: App, deps: RouteDeps): void {
  app.get(
    '/v1/analytics/overview',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['analytics'],
        summary:
          'Headline figures: customers, buyers, repeat rate, LTV, predicted CLV, LINE friends and blocks',
        response: { 200: OverviewBody },
      },
    },
    async (request) => readOverview(deps.database.db, principalOf(request).workspaceId),
  );
}
