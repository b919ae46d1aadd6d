import { Type } from 'typebox';
import { principalOf } from '../http/auth.ts';
import type { App, RouteDeps } from '../http/route-deps.ts';
import { notFound } from '../shared/domain-error.ts';
import { Instant, Nullable } from '../shared/response-types.ts';
import { API_KEY_SCOPES, createApiKey, listApiKeys, revokeApiKey } from './api-keys.ts';

const Scope = Type.Union(API_KEY_SCOPES.map((s) => Type.Literal(s)));
const ApiKey = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  scopes: Type.Array(Type.String()),
  createdBy: Nullable(Type.String({ description: 'User id of the member who created it' })),
  createdAt: Instant(),
  lastUsedAt: Nullable(Instant()),
  revokedAt: Nullable(Instant()),
});

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
        response: {
          200: Type.Object({
            id: Type.Integer(),
            token: Type.String({ description: 'The key itself; shown this once only' }),
          }),
        },
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
        response: { 200: Type.Object({ items: Type.Array(ApiKey) }) },
      },
    },
    async (request) => ({ items: await listApiKeys(db, principalOf(request).workspaceId) }),
  );
  app.delete(
    '/v1/api-keys/:id',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['workspace'],
        summary: 'Revoke an API key',
        params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
        response: { 200: Type.Object({ revoked: Type.Literal(true) }) },
      },
    },
    async (request) => {
      if (!(await revokeApiKey(db, principalOf(request).workspaceId, request.params.id)))
        throw notFound(`API key ${request.params.id}`);
      return { revoked: true as const };
    },
  );
}
