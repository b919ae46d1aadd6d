// GET /v1/customers/:id/timeline and /v1/customers/:id/summary: the customer page in two calls.
import { Type } from 'typebox';
import { liveCustomerId } from '../customers/get-customer.ts';
import { principalOf } from '../http/auth.ts';
import type { App, RouteDeps } from '../http/route-deps.ts';
import { notFound } from '../shared/domain-error.ts';
import { Page, PageCursor, PageLimit, RowId } from '../shared/page-schema.ts';
import { CustomerSummary, TimelineEntry } from './karte-view.ts';
import { customerSummary } from './summary.ts';
import { customerTimeline } from './timeline.ts';

const tags = ['customers'];
const IdParams = Type.Object({
  id: RowId("Kizuna's customer id (a merged-away id answers for its survivor)"),
});

export function registerKarteRoutes(app: App, deps: RouteDeps): void {
  const { db } = deps.database;
  /** The live customer behind the path's id, or a 404 (also for another workspace's id). */
  const live = async (workspaceId: string, id: number) => {
    const found = await liveCustomerId(db, workspaceId, id);
    if (found === undefined) throw notFound(`customer ${id}`);
    return found;
  };
  app.get(
    '/v1/customers/:id/timeline',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary:
          "The customer's orders (with lines), visits, events, consent changes and LINE messages sent and received, newest first",
        params: IdParams,
        querystring: Type.Object({ limit: PageLimit, cursor: PageCursor }, { additionalProperties: false }),
        response: { 200: Page(TimelineEntry) },
      },
    },
    async (request) => {
      const { workspaceId } = principalOf(request);
      const id = await live(workspaceId, request.params.id);
      return customerTimeline(db, workspaceId, id, {
        limit: request.query.limit ?? 50,
        cursor: request.query.cursor,
      });
    },
  );
  app.get(
    '/v1/customers/:id/summary',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: "The customer's segments, loyalty (points, tier, stamps, usable coupons) and CLV",
        params: IdParams,
        response: { 200: CustomerSummary },
      },
    },
    async (request) => {
      const { workspaceId } = principalOf(request);
      const id = await live(workspaceId, request.params.id);
      return customerSummary(db, workspaceId, id, request.params.id, deps.clock.now());
    },
  );
}
