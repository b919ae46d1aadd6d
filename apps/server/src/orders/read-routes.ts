// GET /v1/orders and /v1/orders/:id (writing is routes.ts's batch upsert).
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
import { OrderStatusSchema } from './order-schema.ts';
import { OrderDetailView, OrderView } from './order-view.ts';
import { getOrder, listOrders } from './read-orders.ts';

const tags = ['orders'];

export function registerOrderReadRoutes(app: App, deps: RouteDeps): void {
  const { db } = deps.database;
  app.get(
    '/v1/orders',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'List orders with their lines, newest first (by orderedAt, then id)',
        querystring: Type.Object(
          {
            customerId: Type.Optional(
              RowId("Only this customer's orders (a merged-away id lists its survivor's)"),
            ),
            from: RangeBound('Ordered at or after this instant'),
            to: RangeBound('Ordered before this instant'),
            status: Type.Optional(OrderStatusSchema),
            storeCode: TextFilter(100, 'Only orders at this store'),
            sku: TextFilter(100, 'Only orders with a line of this SKU'),
            limit: PageLimit,
            cursor: PageCursor,
          },
          { additionalProperties: false },
        ),
        response: { 200: Page(OrderView) },
      },
    },
    async (request) => {
      const { limit, cursor, from, to, ...filter } = request.query;
      return listOrders(
        db,
        principalOf(request).workspaceId,
        { ...filter, ...parseRange({ from, to }) },
        { limit: limit ?? 50, cursor },
      );
    },
  );
  app.get(
    '/v1/orders/:id',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'One order with its lines and its history (status changes, refunds), oldest first',
        params: Type.Object({ id: RowId("Kizuna's order id") }),
        response: { 200: OrderDetailView },
      },
    },
    async (request) => getOrder(db, principalOf(request).workspaceId, request.params.id),
  );
}
