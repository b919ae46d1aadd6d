// Authentication of the member routes (`config.member`): a member session token only. Installed
// before the LIFF routes, beside http/auth.ts's staff authentication, which never accepts a
// member token (it is not an API key) and which member routes never consult (they have no scope).
import type { FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { App } from '../http/route-deps.ts';
import type { Clock } from '../shared/clock.ts';
import { DomainError } from '../shared/domain-error.ts';
import { authenticateMemberSession, isMemberToken, type MemberPrincipal } from './member-sessions.ts';

declare module 'fastify' {
  interface FastifyRequest {
    member?: MemberPrincipal;
  }
  interface FastifyContextConfig {
    /** A LIFF member route: it takes a member session token, never a staff session or API key. */
    member?: boolean;
  }
}

const HOW = 'send the member session token from POST /v1/liff/session (Authorization: Bearer kzm_…)';

/** Adds the hook that authenticates member routes; routes registered after it are covered. */
export function installMemberAuth(app: App, db: Kysely<DB>, clock: Clock): void {
  app.addHook('onRoute', (route) => {
    if (route.config?.member) route.schema = { ...route.schema, security: [{ memberSession: [] }] };
  });
  app.addHook('onRequest', async (request) => {
    if (!request.routeOptions.config.member) return;
    const header = request.headers.authorization;
    const token = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    if (token === undefined) throw new DomainError('unauthenticated', HOW);
    if (!isMemberToken(token))
      throw new DomainError(
        'unauthenticated',
        `member routes do not take an API key or a staff session; ${HOW}`,
      );
    const member = await authenticateMemberSession(db, token, clock.now());
    if (!member)
      throw new DomainError(
        'unauthenticated',
        'the member session has expired; post a fresh ID token to /v1/liff/session',
        [],
        {
          reason: 'member_session_expired',
        },
      );
    request.member = member;
  });
}

/** The member of a `config.member` route (the hook guarantees one). */
export function memberOf(request: FastifyRequest): MemberPrincipal {
  if (!request.member) throw new Error('memberOf: route has no config.member');
  return request.member;
}
