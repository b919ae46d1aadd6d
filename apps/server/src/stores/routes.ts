import { Type } from 'typebox';
import { principalOf } from '../http/auth.ts';
import type { App, RouteDeps } from '../http/route-deps.ts';
import { listStores, upsertStore } from './stores.ts';

const Store = Type.Object({
  id: Type.Integer(),
  code: Type.String(),
  name: Type.String(),
  prefecture: Type.Union([Type.String(), Type.Null()]),
});

export function registerStoreRoutes(app: App, { database }: RouteDeps): void {
  app.put(
    '/v1/stores/:code',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['stores'],
        summary: 'Create or update a store by its code',
        params: Type.Object({ code: Type.String({ minLength: 1, maxLength: 100 }) }),
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 200 }),
            prefecture: Type.Optional(Type.Union([Type.String({ maxLength: 10 }), Type.Null()])),
          },
          { additionalProperties: false },
        ),
        response: { 200: Store },
      },
    },
    async (request) =>
      upsertStore(database.db, principalOf(request).workspaceId, {
        code: request.params.code,
        ...request.body,
      }),
  );
  app.get(
    '/v1/stores',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['stores'],
        summary: 'All stores',
        response: { 200: Type.Object({ items: Type.Array(Store) }) },
      },
    },
    async (request) => ({ items: await listStores(database.db, principalOf(request).workspaceId) }),
  );
}
