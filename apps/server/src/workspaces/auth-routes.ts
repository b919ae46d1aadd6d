import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { SESSION_COOKIE, sessionOf } from '../http/auth.ts';
import type { App, RouteDeps } from '../http/route-deps.ts';
import { DomainError, notFound } from '../shared/domain-error.ts';
import { Instant, Nullable } from '../shared/response-types.ts';
import {
  DEVICE_COOKIE,
  DEVICE_COOKIE_MAX_AGE_MS,
  deviceCookieVouches,
  issueDeviceCookie,
} from './device-cookies.ts';
import { acceptInvitation, acceptInvitationAsNewUser, inspectInvitation } from './invitations.ts';
import { changeOwnPassword, verifyAccountPassword } from './login.ts';
import { completePasswordReset } from './password-resets.ts';
import { MAX_PASSWORD_LENGTH } from './passwords.ts';
import {
  authenticateSession,
  createSession,
  endSession,
  endSessionById,
  listSessions,
  SESSION_ABSOLUTE_MS,
} from './sessions.ts';
import { membershipsOf } from './workspaces.ts';

const Password = Type.String({ maxLength: MAX_PASSWORD_LENGTH });
const Token = Type.String({ minLength: 1, maxLength: 200 });
const Workspaces = Type.Array(
  Type.Object({ workspaceId: Type.String(), name: Type.String(), role: Type.String() }),
  { description: 'The workspaces the user belongs to, with their role in each' },
);
const LoggedIn = {
  csrfToken: Type.String({ description: 'Send as the x-csrf-token header on every change' }),
  workspaces: Workspaces,
};
const Ok = Type.Object({ ok: Type.Literal(true) });

/** Logs a user in on this reply: a new session, its httpOnly cookie, and the CSRF token to return. */
async function startSession(deps: RouteDeps, request: FastifyRequest, reply: FastifyReply, userId: string) {
  const userAgent = request.headers['user-agent'];
  const session = await createSession(deps.database.db, userId, { userAgent, clientIp: request.ip });
  reply.setCookie(SESSION_COOKIE, session.token, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: deps.secureCookies,
    maxAge: SESSION_ABSOLUTE_MS / 1000,
  });
  return { csrfToken: session.csrfToken, workspaces: await membershipsOf(deps.database.db, userId) };
}

/** Login, logout, the user's own password and sessions, and the public ends of one-time links. */
export function registerAuthRoutes(app: App, deps: RouteDeps): void {
  const { db } = deps.database;
  app.post(
    '/v1/auth/login',
    {
      schema: {
        tags: ['auth'],
        summary: 'Log in with email and password; sets an httpOnly session cookie and returns the CSRF token',
        description:
          'Failed attempts slow down per client and per (account, client) with growing waits answered as 429 ' +
          'with Retry-After; an account is never locked for its owner.',
        security: [],
        body: Type.Object(
          { email: Type.String({ maxLength: 254 }), password: Password },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object(LoggedIn) },
      },
    },
    async (request, reply) => {
      const knownDevice = deviceCookieVouches(
        deps.secrets,
        request.cookies[DEVICE_COOKIE],
        request.body.email,
      );
      const { userId } = await verifyAccountPassword(db, {
        ...request.body,
        clientIp: request.ip,
        knownDevice,
      });
      reply.setCookie(DEVICE_COOKIE, issueDeviceCookie(deps.secrets, request.body.email), {
        path: '/v1/auth/login',
        httpOnly: true,
        sameSite: 'strict',
        secure: deps.secureCookies,
        maxAge: DEVICE_COOKIE_MAX_AGE_MS / 1000,
      });
      return startSession(deps, request, reply, userId);
    },
  );
  app.post(
    '/v1/auth/logout',
    {
      config: { session: 'optional' },
      schema: {
        tags: ['auth'],
        summary: 'End the session (send the x-csrf-token header)',
        security: [],
        response: { 200: Ok },
      },
    },
    async (request, reply) => {
      const token = request.cookies[SESSION_COOKIE];
      // Only a live session was checked for its CSRF token; a dead one has nothing left to end.
      if (token && request.userSession) await endSession(db, token);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return { ok: true as const };
    },
  );
  app.get(
    '/v1/auth/session',
    {
      schema: {
        tags: ['auth'],
        summary: 'The logged-in user, workspaces and CSRF token',
        security: [],
        response: { 200: Type.Object({ userId: Type.String(), ...LoggedIn }) },
      },
    },
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
    '/v1/me/password',
    {
      config: { session: 'required' },
      schema: {
        tags: ['auth'],
        summary: 'Change your password (needs the current one); your other sessions end',
        body: Type.Object(
          { currentPassword: Password, newPassword: Password },
          { additionalProperties: false },
        ),
        response: { 200: Ok },
      },
    },
    async (request) => {
      const { userId, sessionId } = sessionOf(request);
      await changeOwnPassword(db, { userId, sessionId, ...request.body, clientIp: request.ip });
      return { ok: true as const };
    },
  );
  app.get(
    '/v1/me/sessions',
    {
      config: { session: 'required' },
      schema: {
        tags: ['auth'],
        summary: 'Your sessions (devices logged in)',
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                id: Type.String(),
                current: Type.Boolean({ description: 'The session making this request' }),
                createdAt: Instant(),
                lastSeenAt: Instant(),
                expiresAt: Instant(),
                userAgent: Nullable(Type.String()),
                clientIp: Nullable(Type.String()),
              }),
            ),
          }),
        },
      },
    },
    async (request) => {
      const { userId, sessionId } = sessionOf(request);
      return { items: await listSessions(db, userId, sessionId) };
    },
  );
  app.delete(
    '/v1/me/sessions/:id',
    {
      config: { session: 'required' },
      schema: {
        tags: ['auth'],
        summary: 'End one of your sessions',
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        response: { 200: Type.Object({ ended: Type.Literal(true) }) },
      },
    },
    async (request) => {
      if (!(await endSessionById(db, sessionOf(request).userId, request.params.id)))
        throw notFound(`session ${request.params.id}`);
      return { ended: true as const };
    },
  );
  registerLinkRoutes(app, deps, startSession);
}

/** The public ends of one-time links: the token arrives in the body, never in a URL. */
function registerLinkRoutes(app: App, deps: RouteDeps, login: typeof startSession): void {
  const { db } = deps.database;
  const TokenBody = Type.Object({ token: Token }, { additionalProperties: false });
  app.post(
    '/v1/invitations/inspect',
    {
      schema: {
        tags: ['auth'],
        summary: 'What an invitation link offers (workspace, email, role)',
        security: [],
        body: TokenBody,
        response: {
          200: Type.Object({
            workspaceId: Type.String(),
            workspaceName: Type.String(),
            email: Type.String(),
            role: Type.String(),
            expiresAt: Instant(),
          }),
        },
      },
    },
    async (request) => inspectInvitation(db, request.body.token),
  );
  app.post(
    '/v1/invitations/accept',
    {
      config: { session: 'required' },
      schema: {
        tags: ['auth'],
        summary: 'Accept an invitation as the logged-in user (the invitation must be for your email)',
        body: TokenBody,
        response: { 200: Type.Object({ workspaceId: Type.String(), role: Type.String() }) },
      },
    },
    async (request) => acceptInvitation(db, request.body.token, sessionOf(request).userId),
  );
  app.post(
    '/v1/invitations/accept-new',
    {
      schema: {
        tags: ['auth'],
        summary:
          'Accept an invitation by creating your account: choose your own password (and name); logs you in',
        description:
          'Refused (409) when the invited email already has an account: log in and accept instead.',
        security: [],
        body: Type.Object(
          { token: Token, password: Password, name: Type.Optional(Type.String({ maxLength: 100 })) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            userId: Type.String(),
            workspaceId: Type.String(),
            role: Type.String(),
            ...LoggedIn,
          }),
        },
      },
    },
    async (request, reply) => {
      const { body } = request;
      const accepted = await acceptInvitationAsNewUser(db, body.token, {
        password: body.password,
        ...(body.name !== undefined ? { name: body.name } : {}),
      });
      return { ...accepted, ...(await login(deps, request, reply, accepted.userId)) };
    },
  );
  app.post(
    '/v1/auth/password-reset',
    {
      schema: {
        tags: ['auth'],
        summary: 'Set a new password with a one-time reset link; every session of the account ends',
        security: [],
        body: Type.Object({ token: Token, password: Password }, { additionalProperties: false }),
        response: {
          200: Type.Object({ email: Type.String({ description: 'The account whose password was set' }) }),
        },
      },
    },
    async (request) => completePasswordReset(db, request.body.token, request.body.password),
  );
}
