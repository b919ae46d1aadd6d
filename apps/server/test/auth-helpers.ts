// Helpers for the account tests: log in over HTTP and carry the session like a browser would.
import type { LightMyRequestResponse } from 'fastify';
import type { App } from '../src/http/app.ts';

export interface Browser {
  cookie: string;
  csrfToken: string;
  /** Headers for a request in `workspaceId` (a state change carries the CSRF token). */
  headers(workspaceId?: string): Record<string, string>;
}

export function sessionCookie(setCookie: string | string[] | undefined): string {
  const header = Array.isArray(setCookie) ? setCookie.join(';') : (setCookie ?? '');
  const match = /kizuna_session=([^;]+)/.exec(header);
  if (!match) throw new Error(`no session cookie in ${header}`);
  return `kizuna_session=${match[1]}`;
}

/** A browser holding the session a login or an accepted invitation just set. */
export function browserFrom(response: LightMyRequestResponse): Browser {
  if (response.statusCode !== 200)
    throw new Error(`expected 200, got ${response.statusCode}: ${response.body}`);
  const cookie = sessionCookie(response.headers['set-cookie']);
  const { csrfToken } = response.json() as { csrfToken: string };
  return {
    cookie,
    csrfToken,
    headers: (workspaceId) => ({
      cookie,
      'x-csrf-token': csrfToken,
      ...(workspaceId ? { 'x-kizuna-workspace': workspaceId } : {}),
    }),
  };
}

export function login(app: App, email: string, password: string, ip = '192.0.2.1') {
  return app.inject({
    method: 'POST',
    url: '/v1/auth/login',
    remoteAddress: ip,
    payload: { email, password },
  });
}

export async function loginBrowser(app: App, email: string, password: string, ip?: string): Promise<Browser> {
  return browserFrom(await login(app, email, password, ip));
}

/** The token in an invitation or reset link (`…/invite#token=…`). */
export function tokenOf(url: string): string {
  const token = new URL(url).hash.replace(/^#token=/, '');
  if (!token) throw new Error(`no token in ${url}`);
  return token;
}

/** Invites `email` with the inviter's headers and returns the link's token. */
export async function invite(
  app: App,
  headers: Record<string, string>,
  email: string,
  role: string,
): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/v1/members', headers, payload: { email, role } });
  if (res.statusCode !== 201) throw new Error(`invite ${email}: ${res.statusCode} ${res.body}`);
  return tokenOf(res.json().url);
}

/** A new user accepts an invitation with their own password; returns their logged-in browser. */
export async function acceptAsNewUser(app: App, token: string, password: string, ip = '192.0.2.1') {
  const res = await app.inject({
    method: 'POST',
    url: '/v1/invitations/accept-new',
    remoteAddress: ip,
    payload: { token, password },
  });
  return { browser: browserFrom(res), userId: (res.json() as { userId: string }).userId };
}
