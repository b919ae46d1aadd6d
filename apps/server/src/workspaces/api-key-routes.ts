import { Type } from 'typebox';
import { principalOf } from '../http/auth.ts';
import type { App, RouteDeps } from '../http/route-deps.ts';
import { notFound } from '../shared/domain-error.ts';
import { API_KEY_SCOPES, createApiKey, revokeApiKey } from './api-keys.ts';

const Scope = Type.Union(API_KEY_SCOPES.map((s) => Type.Literal(s)));

export function registerApiKeyRoutes(app: App, { database }: RouteDeps): void {
  const { db } = database;
  app.post(
    '/v1/api-keys',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['workspace'],
        summary: 'Create an API key; the token is shown once',
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 100 }),
            scopes: Type.Array(Scope, { minItems: 1, maxItems: API_KEY_SCOPES.length, uniqueItems: true }),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const { workspaceId, userId } = principalOf(request);
      return createApiKey(db, {
        workspaceId,
        name: request.body.name,
        scopes: request.body.scopes,
        ...(userId ? { createdBy: userId } : {}),
      });
    },
  );
  app.get(
    '/v1/api-keys',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['workspace'],
        summary: 'API keys (never their secrets), with the member who created each',
      },
    },
    async (request) => ({
      items: await db
        .selectFrom('api_key')
        .select(['id', 'name', 'scopes', 'created_by', 'created_at', 'last_used_at', 'revoked_at'])
        .where('workspace_id', '=', principalOf(request).workspaceId)
        .orderBy('id')
        .execute(),
    }),
  );
  app.delete(
    '/v1/api-keys/:id',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['workspace'],
        summary: 'Revoke an API key',
        params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
      },
    },
    async (request) => {
      if (!(await revokeApiKey(db, principalOf(request).workspaceId, request.params.id)))
        throw notFound(`API key ${request.params.id}`);
      return { revoked: true };
    },
  );
}
