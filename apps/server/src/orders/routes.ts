import { Type } from 'typebox';
import type { App, RouteDeps } from '../http/route-deps.ts';
import { registerBatchRoute } from '../ingest/batch-route.ts';
import { OrderInput, type OrderInput as OrderInputType } from './order-schema.ts';
import { registerOrderReadRoutes } from './read-routes.ts';
import { type OrderOutcome, upsertOrders } from './upsert-orders.ts';

export function registerOrderRoutes(app: App, deps: RouteDeps): void {
  registerBatchRoute<OrderInputType, OrderOutcome>(app, deps, {
    path: '/v1/orders',
    field: 'orders',
    tag: 'orders',
    summary: 'Create or update orders (by your order id); up to 1,000 per request',
    item: OrderInput,
    result: Type.Object({ id: Type.Integer(), externalId: Type.String(), outcome: Type.String() }),
    write: upsertOrders,
  });
  registerOrderReadRoutes(app, deps);
}
