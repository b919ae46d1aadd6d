import { Type } from 'typebox';
import { principalOf } from '../http/auth.ts';
import type { App, RouteDeps } from '../http/route-deps.ts';

const Product = Type.Object({
  id: Type.Integer(),
  sku: Type.String(),
  name: Type.String(),
  price: Type.Union([Type.Integer(), Type.Null()]),
  category: Type.Union([Type.String(), Type.Null()], {
    description: 'e.g. コーヒー豆; segments can select by it',
  }),
});

export function registerProductRoutes(app: App, { database }: RouteDeps): void {
  const { db } = database;
  app.put(
    '/v1/products/:sku',
    {
      config: { scope: 'ingest' },
      schema: {
        tags: ['products'],
        summary: 'Create or update a product by SKU; order lines with this SKU link to it',
        params: Type.Object({ sku: Type.String({ minLength: 1, maxLength: 100 }) }),
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 300 }),
            price: Type.Optional(Type.Union([Type.Integer({ minimum: 0 }), Type.Null()])),
            category: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 100 }), Type.Null()])),
          },
          { additionalProperties: false },
        ),
        response: { 200: Product },
      },
    },
    async (request) => {
      const { workspaceId } = principalOf(request);
      const { name, price, category } = request.body;
      const values = { name, price: price ?? null, category: category ?? null };
      return db
        .insertInto('product')
        .values({ workspace_id: workspaceId, sku: request.params.sku, ...values })
        .onConflict((oc) => oc.columns(['workspace_id', 'sku']).doUpdateSet(values))
        .returning(['id', 'sku', 'name', 'price', 'category'])
        .executeTakeFirstOrThrow();
    },
  );
  app.get(
    '/v1/products',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['products'],
        summary: 'All products',
        response: { 200: Type.Object({ items: Type.Array(Product) }) },
      },
    },
    async (request) => ({
      items: await db
        .selectFrom('product')
        .select(['id', 'sku', 'name', 'price', 'category'])
        .where('workspace_id', '=', principalOf(request).workspaceId)
        .orderBy('sku')
        .execute(),
    }),
  );
}
