import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { DB, Role } from '../db/schema.ts';
import { DomainError } from '../shared/domain-error.ts';
import { type ApiKeyScope, authenticateApiKey } from '../workspaces/api-keys.ts';
import { authenticateSession } from '../workspaces/sessions.ts';
import { membershipsOf } from '../workspaces/workspaces.ts';

export const SESSION_COOKIE = 'kizuna_session';

/** Who is calling, in which workspace, allowed to do what. Every route's queries use workspaceId. */
export interface Principal {
  workspaceId: string;
  scopes: ReadonlySet<ApiKeyScope>;
  /** `api_key:12` or `user:<uuid>`, for audit columns. */
  actor: string;
  userId?: string;
}

const ROLE_SCOPES: Record<Role, ApiKeyScope[]> = {
  owner: ['read', 'ingest', 'send', 'till', 'admin'],
  admin: ['read', 'ingest', 'send', 'till', 'admin'],
  marketer: ['read', 'ingest', 'send', 'till'],
  staff: ['read', 'till'],
  viewer: ['read'],
};

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
  interface FastifyContextConfig {
    /** The scope a route needs; routes without one are public. */
    scope?: ApiKeyScope;
  }
  interface FastifySchema {
    /** Set from `config.scope` for the OpenAPI document. */
    'x-kizuna-scope'?: ApiKeyScope;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

async function resolvePrincipal(db: Kysely<DB>, request: FastifyRequest): Promise<Principal | undefined> {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) {
    const key = await authenticateApiKey(db, header.slice(7).trim());
    if (!key) throw new DomainError('unauthenticated', 'the API key is unknown or revoked');
    return { workspaceId: key.workspaceId, scopes: new Set(key.scopes), actor: `api_key:${key.keyId}` };
  }
  const token = request.cookies[SESSION_COOKIE];
  if (!token) return undefined;
  const session = await authenticateSession(db, token);
  if (!session) throw new DomainError('unauthenticated', 'the session has expired; log in again');
  // Cookies ride along on cross-site requests; a state change must also present the session's
  // CSRF token, which only Kizuna's own pages can read.
  if (!SAFE_METHODS.has(request.method) && request.headers['x-csrf-token'] !== session.csrfToken) {
    throw new DomainError('forbidden', 'missing or wrong x-csrf-token header');
  }
  const memberships = await membershipsOf(db, session.userId);
  const wanted = request.headers['x-kizuna-workspace'];
  const membership =
    typeof wanted === 'string'
      ? memberships.find((m) => m.workspaceId === wanted)
      : memberships.length === 1
        ? memberships[0]
        : undefined;
  if (!membership) {
    throw new DomainError(
      'forbidden',
      memberships.length > 1
        ? 'choose a workspace with the x-kizuna-workspace header'
        : 'no access to that workspace',
    );
  }
  return {
    workspaceId: membership.workspaceId,
    scopes: new Set(ROLE_SCOPES[membership.role]),
    actor: `user:${session.userId}`,
    userId: session.userId,
  };
}

/**
 * Authenticates every request to a route that declares `config.scope`, on arrival (onRequest):
 * before the body is read, parsed or validated, so an anonymous caller learns nothing of a
 * route's schema (its field names) and cannot make Kizuna parse a 10 MB body. The API key, the
 * session cookie (parsed by @fastify/cookie's own onRequest hook, registered earlier) and the
 * CSRF header are all in the request head.
 */
export function installAuth(app: FastifyInstance, db: Kysely<DB>): void {
  // The OpenAPI document names the scope each operation needs (`x-kizuna-scope`).
  app.addHook('onRoute', (route) => {
    const scope = route.config?.scope;
    if (scope) route.schema = { ...route.schema, 'x-kizuna-scope': scope };
  });
  app.addHook('onRequest', async (request: FastifyRequest, _reply: FastifyReply) => {
    const scope = request.routeOptions.config.scope;
    if (!scope) return;
    const principal = await resolvePrincipal(db, request);
    if (!principal)
      throw new DomainError('unauthenticated', 'send an API key (Authorization: Bearer kz_…) or log in');
    if (!principal.scopes.has(scope)) throw new DomainError('forbidden', `this needs the "${scope}" scope`);
    request.principal = principal;
  });
}

/** The caller of a scoped route (installAuth guarantees one). */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new Error('principalOf: route has no config.scope');
  return request.principal;
}
