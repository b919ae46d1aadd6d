import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { DomainError } from '../shared/domain-error.ts';
import { type ApiKeyScope, authenticateApiKey } from '../workspaces/api-keys.ts';
import { sessionMembership } from '../workspaces/member-access.ts';
import { authenticateSession, type SessionPrincipal } from '../workspaces/sessions.ts';
import type { Role } from '../workspaces/workspace-tables.ts';

export const SESSION_COOKIE = 'kizuna_session';

/** Who is calling, in which workspace, allowed to do what. Every route's queries use workspaceId. */
export interface Principal {
  workspaceId: string;
  scopes: ReadonlySet<ApiKeyScope>;
  /** `api_key:12` or `user:<uuid>`, for audit columns. */
  actor: string;
  userId?: string;
  /** The member's role, for a session (an API key has scopes only). */
  role?: Role;
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
    userSession?: SessionPrincipal;
  }
  interface FastifyContextConfig {
    /** The scope a route needs; routes without one (and without `session`) are public. */
    scope?: ApiKeyScope;
    /**
     * A route about the user rather than a workspace (their password, sessions, invitations):
     * `required` needs a logged-in session (API keys have no user); `optional` takes one if the
     * cookie names a live session. Either way a state change must carry the CSRF token.
     */
    session?: 'required' | 'optional';
  }
  interface FastifySchema {
    /** Set from `config.scope` for the OpenAPI document. */
    'x-kizuna-scope'?: ApiKeyScope;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The session the cookie names, with its CSRF token checked on state changes. */
async function resolveSession(
  db: Kysely<DB>,
  request: FastifyRequest,
): Promise<SessionPrincipal | undefined> {
  const token = request.cookies[SESSION_COOKIE];
  if (!token) return undefined;
  const session = await authenticateSession(db, token);
  if (!session) return undefined;
  // Cookies ride along on cross-site requests; a state change must also present the session's
  // CSRF token, which only Kizuna's own pages can read.
  if (!SAFE_METHODS.has(request.method) && request.headers['x-csrf-token'] !== session.csrfToken) {
    throw new DomainError('forbidden', 'missing or wrong x-csrf-token header');
  }
  return session;
}

async function resolvePrincipal(db: Kysely<DB>, request: FastifyRequest): Promise<Principal | undefined> {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) {
    const key = await authenticateApiKey(db, header.slice(7).trim());
    if (!key) throw new DomainError('unauthenticated', 'the API key is unknown or revoked');
    return { workspaceId: key.workspaceId, scopes: new Set(key.scopes), actor: `api_key:${key.keyId}` };
  }
  if (!request.cookies[SESSION_COOKIE]) return undefined;
  const session = await resolveSession(db, request);
  if (!session) throw new DomainError('unauthenticated', 'the session has expired; log in again');
  const wanted = request.headers['x-kizuna-workspace'];
  const membership = await sessionMembership(db, session, typeof wanted === 'string' ? wanted : undefined);
  request.userSession = session;
  return {
    workspaceId: membership.workspaceId,
    scopes: new Set(ROLE_SCOPES[membership.role]),
    actor: `user:${session.userId}`,
    userId: session.userId,
    role: membership.role,
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
    const { scope, session } = request.routeOptions.config;
    if (session) {
      const found = await resolveSession(db, request);
      if (!found && session === 'required')
        throw new DomainError(
          'unauthenticated',
          request.headers.authorization
            ? 'this needs a logged-in user; API keys act for a workspace, not a user'
            : 'log in first',
        );
      if (found) request.userSession = found;
      return;
    }
    if (!scope) return;
    const principal = await resolvePrincipal(db, request);
    if (!principal)
      throw new DomainError('unauthenticated', 'send an API key (Authorization: Bearer kz_…) or log in');
    if (!principal.scopes.has(scope)) throw new DomainError('forbidden', `this needs the "${scope}" scope`);
    request.principal = principal;
  });
}

/** The logged-in user of a `session: 'required'` route (installAuth guarantees one). */
export function sessionOf(request: FastifyRequest): SessionPrincipal {
  if (!request.userSession) throw new Error('sessionOf: route has no config.session');
  return request.userSession;
}

/** The caller of a scoped route (installAuth guarantees one). */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new Error('principalOf: route has no config.scope');
  return request.principal;
}
