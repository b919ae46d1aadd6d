import { Type } from 'typebox';
import type { App, RouteDeps } from '../http/app.ts';
import { principalOf, SESSION_COOKIE } from '../http/auth.ts';
import { DomainError, notFound } from '../shared/domain-error.ts';
import { API_KEY_SCOPES, createApiKey, revokeApiKey } from './api-keys.ts';
import { createLoginThrottle } from './login-throttle.ts';
import { authenticateSession, createSession, endSession, SESSION_ABSOLUTE_MS } from './sessions.ts';
import { addMember, checkLogin, membershipsOf, ROLES } from './workspaces.ts';

const Scope = Type.Union(API_KEY_SCOPES.map((s) => Type.Literal(s)));
const Role = Type.Union(ROLES.map((r) => Type.Literal(r)));

export function registerWorkspaceRoutes(app: App, { database, secureCookies }: RouteDeps): void {
  const { db } = database;
  const throttle = createLoginThrottle();
  app.post(
    '/v1/auth/login',
    {
      schema: {
        tags: ['auth'],
        summary: 'Log in with email and password; sets an httpOnly session cookie and returns the CSRF token',
        security: [],
        body: Type.Object(
          { email: Type.String({ maxLength: 254 }), password: Type.String({ maxLength: 256 }) },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      const wait = throttle.retryAfter(request.body.email);
      if (wait > 0) {
        reply.header('retry-after', Math.ceil(wait / 1000));
        throw new DomainError('rate_limited', 'too many failed logins for this email; try again later');
      }
      const login = await checkLogin(db, request.body.email, request.body.password);
      if (!login) {
        throttle.recordFailure(request.body.email);
        throw new DomainError('unauthenticated', 'wrong email or password');
      }
      throttle.recordSuccess(request.body.email);
      const session = await createSession(db, login.userId);
      reply.setCookie(SESSION_COOKIE, session.token, {
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
        secure: secureCookies,
        maxAge: SESSION_ABSOLUTE_MS / 1000,
      });
      return { csrfToken: session.csrfToken, workspaces: await membershipsOf(db, login.userId) };
    },
  );
  app.post(
    '/v1/auth/logout',
    { schema: { tags: ['auth'], summary: 'End the session', security: [] } },
    async (request, reply) => {
      const token = request.cookies[SESSION_COOKIE];
      if (token) await endSession(db, token);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return { ok: true };
    },
  );
  app.get(
    '/v1/auth/session',
    { schema: { tags: ['auth'], summary: 'The logged-in user, workspaces and CSRF token', security: [] } },
    async (request) => {
      const token = request.cookies[SESSION_COOKIE];
      const session = token ? await authenticateSession(db, token) : undefined;
      if (!session) throw new DomainError('unauthenticated', 'not logged in');
      return {
        userId: session.userId,
        csrfToken: session.csrfToken,
        workspaces: await membershipsOf(db, session.userId),
      };
    },
  );
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
      schema: { tags: ['workspace'], summary: 'API keys (never their secrets)' },
    },
    async (request) => ({
      items: await db
        .selectFrom('api_key')
        .select(['id', 'name', 'scopes', 'created_at', 'last_used_at', 'revoked_at'])
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
  app.post(
    '/v1/members',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['workspace'],
        summary: 'Add a user to this workspace with a role',
        body: Type.Object(
          {
            email: Type.String({ maxLength: 254 }),
            password: Type.String({ maxLength: 256 }),
            role: Role,
            name: Type.Optional(Type.String({ maxLength: 100 })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const { userId } = await addMember(db, {
        workspaceId: principalOf(request).workspaceId,
        ...request.body,
      });
      return { userId };
    },
  );
}
