// LINE Login v2.1 endpoints: authorize (with bot_prompt), token, verify (ID token), certs (JWKS),
// revoke, the user's profile and friendship status. The OAuth endpoints answer errors with
// `{"error", "error_description"}` as LINE does; the profile and friendship endpoints with the
// Messaging API's `{"message"}`. They are not behind the fault injector or the rate limiter.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { LineApiError, type LineErrorCode } from './line-error.ts';
import { type IdTokenClaims, LINE_LOGIN_ISSUER, pkceChallenge } from './login.ts';
import type { SandboxState } from './state.ts';
import { USER_ID_PATTERN } from './users.ts';
import { userActions } from './webhook-events.ts';

type Query = Record<string, string | undefined>;

/** LINE Login's OAuth error body, `{"error":"invalid_request","error_description":"…"}`. */
export function oauthError(error: string, description: string, code: LineErrorCode = 'bad-request') {
  return new LineApiError(code, description, {
    replacementBody: { error, error_description: description },
  });
}

function form(request: FastifyRequest): Query {
  const body = request.body;
  if (body === undefined || body === null || typeof body !== 'object' || Buffer.isBuffer(body))
    throw oauthError('invalid_request', 'the body must be application/x-www-form-urlencoded');
  return body as Query;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The sandbox's consent screen: pick the test user who logs in (or deny). */
function pickerPage(state: SandboxState, query: Query): string {
  const link = (extra: Record<string, string>) => {
    const params = new URLSearchParams({ ...(query as Record<string, string>), ...extra });
    return `/oauth2/v2.1/authorize?${params}`;
  };
  const users = state.users
    .list()
    .map(
      (u) =>
        `<li><a href="${escapeHtml(link({ sandbox_user: u.userId }))}">${escapeHtml(u.displayName)}</a></li>`,
    )
    .join('');
  return `<!doctype html><html lang="ja"><meta charset="utf-8"><title>LINE Login (sandbox)</title>
<h1>LINEでログイン / Log in with LINE (sandbox)</h1><ul>${users || '<li>ユーザーがいません / no users</li>'}</ul>
<p><a href="${escapeHtml(link({ sandbox_deny: '1' }))}">キャンセル / Cancel</a></p></html>`;
}

function redirectWith(reply: FastifyReply, redirectUri: string, params: Record<string, string>) {
  const url = new URL(redirectUri);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return reply.redirect(url.toString(), 302);
}

async function authorize(state: SandboxState, request: FastifyRequest, reply: FastifyReply) {
  const q = request.query as Query;
  // A bad client_id or redirect_uri is shown to the user, never redirected (an open redirect otherwise).
  if (q.client_id !== state.login.channelId) throw oauthError('invalid_request', 'invalid client_id');
  if (q.redirect_uri === undefined || !/^https?:\/\//.test(q.redirect_uri))
    throw oauthError('invalid_request', 'invalid redirect_uri');
  const fail = (error: string, description: string) =>
    redirectWith(reply, q.redirect_uri!, {
      error,
      error_description: description,
      ...(q.state ? { state: q.state } : {}),
    });
  if (q.response_type !== 'code') return fail('unsupported_response_type', 'response_type must be code');
  if (!q.state) return fail('invalid_request', 'state is required');
  const scope = (q.scope ?? '').split(/[\s+]+/).filter(Boolean);
  if (scope.length === 0 || scope.some((s) => !['openid', 'profile', 'email'].includes(s)))
    return fail('invalid_scope', 'scope must be openid, profile and/or email');
  if (q.bot_prompt !== undefined && q.bot_prompt !== 'normal' && q.bot_prompt !== 'aggressive')
    return fail('invalid_request', 'bot_prompt must be normal or aggressive');
  if (q.code_challenge !== undefined && q.code_challenge_method !== 'S256')
    return fail('invalid_request', 'code_challenge_method must be S256');
  if (q.sandbox_deny) return fail('access_denied', 'The resource owner denied the request.');
  const userId = q.sandbox_user ?? state.login.autoConsentUserId;
  if (userId === undefined) return reply.type('text/html; charset=utf-8').send(pickerPage(state, q));
  const user = USER_ID_PATTERN.test(userId) ? state.users.get(userId) : undefined;
  if (user === undefined) throw oauthError('invalid_request', `no sandbox user ${userId}`);
  let friendshipStatusChanged: boolean | undefined;
  if (q.bot_prompt !== undefined) {
    // The consent screen offered to add the account as a friend; the sandbox's user accepts.
    friendshipStatusChanged = !user.friend;
    if (!user.friend) await userActions.follow(state, user.userId);
  }
  const code = state.login.issueCode({
    userId: user.userId,
    clientId: q.client_id,
    redirectUri: q.redirect_uri,
    scope,
    nonce: q.nonce,
    codeChallenge: q.code_challenge,
    friendshipStatusChanged,
  });
  return redirectWith(reply, q.redirect_uri, {
    code,
    state: q.state,
    ...(friendshipStatusChanged === undefined
      ? {}
      : { friendship_status_changed: String(friendshipStatusChanged) }),
  });
}

function checkClient(state: SandboxState, f: Query): void {
  if (f.client_id !== state.login.channelId || f.client_secret !== state.login.channelSecret)
    throw oauthError('invalid_client', 'invalid client_id or client_secret');
}

function token(state: SandboxState, f: Query) {
  checkClient(state, f);
  if (f.grant_type === 'refresh_token') {
    const grant = f.refresh_token ? state.login.consumeRefreshToken(f.refresh_token) : undefined;
    if (grant === undefined) throw oauthError('invalid_grant', 'invalid refresh token');
    const tokens = state.login.issueTokens(grant);
    return tokenBody(state, tokens, grant.scope, undefined);
  }
  if (f.grant_type !== 'authorization_code')
    throw oauthError('unsupported_grant_type', 'unsupported grant_type');
  const code = f.code ? state.login.consumeCode(f.code) : undefined;
  if (code === undefined || code.clientId !== f.client_id)
    throw oauthError('invalid_grant', 'invalid authorization code');
  if (code.redirectUri !== f.redirect_uri) throw oauthError('invalid_grant', 'redirect_uri does not match');
  if (code.codeChallenge !== undefined && pkceChallenge(f.code_verifier ?? '') !== code.codeChallenge)
    throw oauthError('invalid_grant', 'code_verifier does not match');
  const tokens = state.login.issueTokens({ userId: code.userId, clientId: code.clientId, scope: code.scope });
  const user = state.users.get(code.userId);
  const idToken =
    code.scope.includes('openid') && user
      ? state.login.mintIdToken(
          code.scope.includes('profile') ? user : { userId: user.userId },
          code.nonce === undefined ? {} : { nonce: code.nonce },
        )
      : undefined;
  return tokenBody(state, tokens, code.scope, idToken);
}

function tokenBody(
  _state: SandboxState,
  tokens: { accessToken: string; refreshToken: string },
  scope: string[],
  idToken: string | undefined,
) {
  return {
    access_token: tokens.accessToken,
    expires_in: 30 * 24 * 60 * 60,
    ...(idToken === undefined ? {} : { id_token: idToken }),
    refresh_token: tokens.refreshToken,
    scope: scope.join(' '),
    token_type: 'Bearer',
  };
}

/** `POST /oauth2/v2.1/verify`: LINE's own check of an ID token, with its error texts. */
function verifyIdToken(state: SandboxState, f: Query): IdTokenClaims {
  if (!f.id_token || !f.client_id) throw oauthError('invalid_request', 'id_token and client_id are required');
  const read = state.login.readIdToken(f.id_token);
  if ('error' in read) throw oauthError('invalid_request', read.error);
  const { claims } = read;
  if (claims.iss !== LINE_LOGIN_ISSUER) throw oauthError('invalid_request', 'Invalid IdToken Issuer.');
  if (typeof claims.exp !== 'number' || claims.exp <= state.login.nowSeconds())
    throw oauthError('invalid_request', 'IdToken expired.');
  if (claims.aud !== f.client_id) throw oauthError('invalid_request', 'Invalid IdToken Audience.');
  if (f.nonce !== undefined && claims.nonce !== f.nonce)
    throw oauthError('invalid_request', 'Invalid IdToken Nonce.');
  if (f.user_id !== undefined && claims.sub !== f.user_id)
    throw oauthError('invalid_request', 'Invalid IdToken Subject Identifier.');
  return claims;
}

/** The Login access token in `Authorization: Bearer …`, or LINE's 401. */
function bearerGrant(state: SandboxState, request: FastifyRequest) {
  const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization?.trim() ?? '');
  const grant = match?.[1] ? state.login.accessToken(match[1]) : undefined;
  if (grant === undefined) throw new LineApiError('unauthorized', 'invalid token');
  return grant;
}

/** `GET /oauth2/v2.1/verify?access_token=` for a Login access token; undefined for other tokens. */
export function verifyLoginAccessToken(state: SandboxState, token: string) {
  const grant = state.login.accessToken(token);
  if (grant === undefined) return undefined;
  return {
    scope: grant.scope.join(' '),
    client_id: grant.clientId,
    expires_in: Math.max(0, Math.floor((grant.expiresAt - state.config.clock()) / 1000)),
  };
}

/** Registers the LINE Login endpoints on the sandbox's server. */
export function loginRoutes(app: FastifyInstance, state: SandboxState): void {
  const json = (reply: FastifyReply, body: unknown) =>
    reply.type('application/json').send(JSON.stringify(body));
  app.get('/oauth2/v2.1/authorize', (request, reply) => authorize(state, request, reply));
  app.post('/oauth2/v2.1/token', async (request, reply) => json(reply, token(state, form(request))));
  app.post('/oauth2/v2.1/verify', async (request, reply) => json(reply, verifyIdToken(state, form(request))));
  app.get('/oauth2/v2.1/certs', async (_request, reply) => json(reply, state.login.jwks()));
  app.post('/oauth2/v2.1/revoke', async (request, reply) => {
    const f = form(request);
    if (f.client_id !== state.login.channelId) throw oauthError('invalid_client', 'invalid client_id');
    if (f.access_token) state.login.revoke(f.access_token);
    return reply.code(200).send();
  });
  app.get('/v2/profile', async (request, reply) => {
    const grant = bearerGrant(state, request);
    if (!grant.scope.includes('profile')) throw new LineApiError('forbidden', 'Not allowed to use the API.');
    const user = state.users.get(grant.userId);
    if (user === undefined) throw new LineApiError('not-found', 'Not found');
    return json(reply, {
      userId: user.userId,
      displayName: user.displayName,
      ...(user.pictureUrl === undefined ? {} : { pictureUrl: user.pictureUrl }),
      ...(user.statusMessage === undefined ? {} : { statusMessage: user.statusMessage }),
    });
  });
  app.get('/friendship/v1/status', async (request, reply) => {
    const grant = bearerGrant(state, request);
    return json(reply, { friendFlag: state.users.get(grant.userId)?.friend ?? false });
  });
}
