import { Type } from 'typebox';
import { assertCustomersExist } from '../customers/known-customers.ts';
import { principalOf } from '../http/auth.ts';
import type { App, RouteDeps } from '../http/route-deps.ts';
import { recommendProducts } from './co-purchase.ts';

const Recommendation = Type.Object({
  sku: Type.String(),
  name: Type.String(),
  productId: Type.Union([Type.Integer(), Type.Null()]),
  price: Type.Union([Type.Integer(), Type.Null()]),
  score: Type.Integer({
    description:
      'co_purchase: customers who bought it with or after this customer’s items; popular: its buyers',
  }),
  source: Type.Union([Type.Literal('co_purchase'), Type.Literal('popular')]),
});

export function registerRecommendationRoutes(app: App, { database }: RouteDeps): void {
  app.get(
    '/v1/customers/:id/recommendations',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['customers'],
        summary:
          'おすすめ商品: products often bought with or after what this customer bought (popular items as the fallback)',
        params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
        querystring: Type.Object({
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 20, default: 3 })),
          keepRepurchases: Type.Optional(
            Type.Boolean({ description: 'recommend again what the customer already bought (consumables)' }),
          ),
          repurchaseCategory: Type.Optional(
            Type.Array(Type.String({ minLength: 1, maxLength: 100 }), {
              maxItems: 20,
              description: 'product categories that may be recommended again (コーヒー豆)',
            }),
          ),
        }),
        response: { 200: Type.Object({ items: Type.Array(Recommendation) }) },
      },
    },
    async (request) => {
      const { workspaceId } = principalOf(request);
      const { id } = request.params;
      await assertCustomersExist(database.db, workspaceId, [{ path: 'id', customerId: id }]);
      const { limit, keepRepurchases, repurchaseCategory } = request.query;
      const recs = await recommendProducts(database.db, workspaceId, [id], {
        ...(limit !== undefined ? { limit } : {}),
        ...(keepRepurchases !== undefined ? { keepRepurchases } : {}),
        ...(repurchaseCategory ? { repurchaseCategories: repurchaseCategory } : {}),
      });
      return { items: recs.get(id) ?? [] };
    },
  );
}
