import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listMigrations } from '../src/db/migrate.ts';
import { hashPassword, verifyPassword } from '../src/workspaces/passwords.ts';
import { createTestApp, type TestApp } from './helpers.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

function sessionCookie(setCookie: string | string[] | undefined): string {
  const header = Array.isArray(setCookie) ? setCookie.join(';') : (setCookie ?? '');
  const match = /kizuna_session=([^;]+)/.exec(header);
  if (!match) throw new Error(`no session cookie in ${header}`);
  return `kizuna_session=${match[1]}`;
}

describe('passwords', () => {
  it('stores scrypt hashes with OWASP parameters (N=2^17, r=8, p=1) and a per-password salt', async () => {
    const [a, b] = await Promise.all([
      hashPassword('correct horse battery'),
      hashPassword('correct horse battery'),
    ]);
    expect(a).toMatch(/^scrypt\$17\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('correct horse battery', a)).toBe(true);
    expect(await verifyPassword('correct horse batterY', a)).toBe(false);
  });
});

describe('sessions and API keys', () => {
  it('logs in with a cookie session: httpOnly, SameSite, and state changes need the CSRF token', async () => {
    const login = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email: t.workspace.ownerEmail, password: t.workspace.ownerPassword },
    });
    expect(login.statusCode).toBe(200);
    const setCookie = String(login.headers['set-cookie']);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Lax/);
    const cookie = sessionCookie(login.headers['set-cookie']);
    const { csrfToken } = login.json();
    expect((await t.app.inject({ url: '/v1/customers', headers: { cookie } })).statusCode).toBe(200);
    const payload = { customers: [{ email: 'via-session@example.jp' }] };
    const noCsrf = await t.app.inject({ method: 'POST', url: '/v1/customers', headers: { cookie }, payload });
    expect(noCsrf.statusCode).toBe(403);
    const withCsrf = await t.app.inject({
      method: 'POST',
      url: '/v1/customers',
      headers: { cookie, 'x-csrf-token': csrfToken },
      payload,
    });
    expect(withCsrf.statusCode).toBe(200);
    // Logging out is a state change too: without the CSRF token a cross-site form cannot end it.
    const forgedLogout = await t.app.inject({ method: 'POST', url: '/v1/auth/logout', headers: { cookie } });
    expect(forgedLogout.statusCode).toBe(403);
    expect((await t.app.inject({ url: '/v1/customers', headers: { cookie } })).statusCode).toBe(200);
    const logout = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/logout',
      headers: { cookie, 'x-csrf-token': csrfToken },
    });
    expect(logout.statusCode).toBe(200);
    expect((await t.app.inject({ url: '/v1/customers', headers: { cookie } })).statusCode).toBe(401);
  });

  it('gives the same 401 for an unknown email and a wrong password', async () => {
    const wrong = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email: t.workspace.ownerEmail, password: 'not the password' },
    });
    const unknown = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email: 'nobody@example.jp', password: 'not the password' },
    });
    expect([wrong.statusCode, unknown.statusCode]).toEqual([401, 401]);
    expect(wrong.json()).toEqual(unknown.json());
  });

  it('enforces API key scopes, stores only a hash, and honours revocation', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: t.auth,
      payload: { name: 'reader', scopes: ['read'] },
    });
    expect(created.statusCode).toBe(200);
    const { id, token } = created.json();
    const reader = { authorization: `Bearer ${token}` };
    expect((await t.app.inject({ url: '/v1/customers', headers: reader })).statusCode).toBe(200);
    const write = await t.app.inject({
      method: 'POST',
      url: '/v1/events',
      headers: reader,
      payload: { events: [] },
    });
    expect(write.statusCode).toBe(403);
    expect(write.json().error.message).toBe('this needs the "ingest" scope');
    const stored = await t.database.db
      .selectFrom('api_key')
      .select('secret_hash')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(stored.secret_hash).not.toContain(token.slice(-20));
    const listed = await t.app.inject({ url: '/v1/api-keys', headers: t.auth });
    expect(JSON.stringify(listed.json())).not.toContain(token.slice(-20));
    const listedKey = listed.json().items.find((k: { id: number }) => k.id === id);
    expect(Object.keys(listedKey).sort()).toEqual(
      ['createdAt', 'createdBy', 'id', 'lastUsedAt', 'name', 'revokedAt', 'scopes'].sort(),
    );
    expect(listedKey).toMatchObject({ name: 'reader', scopes: ['read'], revokedAt: null });
    expect(listedKey.createdAt).toMatch(/^\d{4}-\d\d-\d\dT[0-9:.]+Z$/);
    // The reader key was used above: its last use is kept (to the minute), and a key never used has none.
    expect(Date.now() - new Date(listedKey.lastUsedAt).getTime()).toBeLessThan(120_000);
    const unused = await t.app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: t.auth,
      payload: { name: 'unused', scopes: ['read'] },
    });
    const unusedId = unused.json().id;
    const relisted = await t.app.inject({ url: '/v1/api-keys', headers: t.auth });
    expect(relisted.json().items.find((k: { id: number }) => k.id === unusedId).lastUsedAt).toBeNull();
    expect(
      (await t.app.inject({ method: 'DELETE', url: `/v1/api-keys/${id}`, headers: t.auth })).statusCode,
    ).toBe(200);
    expect((await t.app.inject({ url: '/v1/customers', headers: reader })).statusCode).toBe(401);
  });

  it('answers 401 without credentials and for a forged key', async () => {
    expect((await t.app.inject({ url: '/v1/customers' })).statusCode).toBe(401);
    const forged = `${t.workspace.apiKey.slice(0, -4)}AAAA`;
    expect(
      (await t.app.inject({ url: '/v1/customers', headers: { authorization: `Bearer ${forged}` } }))
        .statusCode,
    ).toBe(401);
  });
});

describe('health and docs', () => {
  it('reports the database kind and migration version', async () => {
    const res = await t.app.inject({ url: '/health' });
    const latest = Math.max(...listMigrations().map((m) => m.version));
    expect(res.json()).toEqual({
      status: 'ok',
      database: process.env.KIZUNA_TEST_DATABASE_URL ? 'postgres' : 'pglite',
      migrationVersion: latest,
    });
  });

  it('serves the OpenAPI document built from the route schemas', async () => {
    const doc = (await t.app.inject({ url: '/docs/json' })).json();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/v1/customers', '/v1/orders', '/v1/events', '/health']),
    );
    expect(
      doc.paths['/v1/events'].post.requestBody.content['application/json'].schema.properties.events.maxItems,
    ).toBe(1000);
  });
});
