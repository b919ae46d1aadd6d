// Issue #19 item 10: authentication before validation, security headers, Cache-Control on the
// API, and one error body for the framework's own errors.
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/http/app.ts';
import { API_CSP, DOCS_CSP, HSTS } from '../src/http/security-headers.ts';
import { API_KEY_SCOPES, type ApiKeyScope, createApiKey } from '../src/workspaces/api-keys.ts';
import { createTestApp, type TestApp } from './helpers.ts';

let t: TestApp;
let scoped: { method: string; url: string; scope: ApiKeyScope; hasBody: boolean }[];
beforeAll(async () => {
  t = await createTestApp();
  await t.app.ready();
  const doc = t.app.swagger() as {
    paths: Record<string, Record<string, { 'x-kizuna-scope'?: ApiKeyScope; requestBody?: unknown }>>;
  };
  scoped = Object.entries(doc.paths).flatMap(([path, operations]) =>
    Object.entries(operations).flatMap(([method, operation]) =>
      operation['x-kizuna-scope']
        ? [
            {
              method: method.toUpperCase(),
              // Any id will do: authentication comes before the parameters are looked at.
              url: path.replace(/\{[^}]+\}/g, '1'),
              scope: operation['x-kizuna-scope'],
              hasBody: operation.requestBody !== undefined || method !== 'get',
            },
          ]
        : [],
    ),
  );
});
afterAll(async () => t?.close());

/** A body of the wrong shape, and a query string of the wrong types, for any route. */
function badRequest(route: { method: string; url: string; hasBody: boolean }, headers = {}): InjectOptions {
  return {
    method: route.method as InjectOptions['method'],
    url: `${route.url}?limit=many&partial=perhaps`,
    headers: { ...headers, ...(route.hasBody ? { 'content-type': 'application/json' } : {}) },
    ...(route.hasBody ? { payload: '{"bogus": ["not", "this"], "email": 42}' } : {}),
  };
}

function expectErrorShape(res: LightMyRequestResponse, status: number, code: string): void {
  expect(res.statusCode, `${res.statusCode} ${res.body}`).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  const body = res.json();
  expect(Object.keys(body)).toEqual(['error']);
  expect(Object.keys(body.error).sort()).toEqual(['code', 'message', 'problems']);
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe('string');
  expect(Array.isArray(body.error.problems)).toBe(true);
}

describe('authentication before validation', () => {
  it('every scoped route answers an anonymous request with a bad body or query 401, naming no field', async () => {
    expect(scoped.length).toBeGreaterThan(40);
    for (const route of scoped) {
      const res = await t.app.inject(badRequest(route));
      expectErrorShape(res, 401, 'unauthenticated');
      expect(res.json().error.problems, `${route.method} ${route.url}`).toEqual([]);
      // Nor does a body that is not even JSON get parsed.
      if (route.hasBody) {
        const notJson = await t.app.inject({ ...badRequest(route), payload: '{"customers": [' });
        expectErrorShape(notJson, 401, 'unauthenticated');
      }
    }
  });

  it('an API key without the scope gets 403 before validation, on every scoped route', async () => {
    const keys = new Map<ApiKeyScope, string>();
    for (const scope of API_KEY_SCOPES) {
      const others = API_KEY_SCOPES.filter((s) => s !== scope);
      const { token } = await createApiKey(t.database.db, {
        workspaceId: t.workspace.workspaceId,
        name: `without ${scope}`,
        scopes: others,
      });
      keys.set(scope, token);
    }
    for (const route of scoped) {
      const res = await t.app.inject(badRequest(route, { authorization: `Bearer ${keys.get(route.scope)}` }));
      expectErrorShape(res, 403, 'forbidden');
    }
  });

  it('a session cookie: without the CSRF header 403 before validation; with it, the body is validated', async () => {
    const login = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email: t.workspace.ownerEmail, password: t.workspace.ownerPassword },
    });
    const cookie = /kizuna_session=[^;]+/.exec(String(login.headers['set-cookie']))![0];
    const { csrfToken } = login.json();
    const route = { method: 'POST', url: '/v1/members', hasBody: true };
    expectErrorShape(await t.app.inject(badRequest(route, { cookie })), 403, 'forbidden');
    const withCsrf = await t.app.inject(badRequest(route, { cookie, 'x-csrf-token': csrfToken }));
    expectErrorShape(withCsrf, 400, 'invalid');
    expect(withCsrf.json().error.problems).toContainEqual({ path: 'role', message: 'is required' });
    // The principal reaches the handler: a valid body invites the member.
    const added = await t.app.inject({
      method: 'POST',
      url: '/v1/members',
      headers: { cookie, 'x-csrf-token': csrfToken },
      payload: { email: 'staff-csrf@example.jp', role: 'staff' },
    });
    expect(added.statusCode, added.body).toBe(201);
  });

  it('an API key with the scope: the bad body is validated and its fields named', async () => {
    const res = await t.app.inject(
      badRequest({ method: 'POST', url: '/v1/customers', hasBody: true }, t.auth),
    );
    expectErrorShape(res, 400, 'invalid');
    expect(res.json().error.problems).toEqual([{ path: 'customers', message: 'must be an array' }]);
  });
});

describe('security headers', () => {
  const common = {
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
  };

  it('every response: no sniffing, no framing, no referrer, the API CSP; no HSTS over http', async () => {
    const responses = [
      await t.app.inject('/health'),
      await t.app.inject({ url: '/v1/customers', headers: t.auth }),
      await t.app.inject('/v1/customers'),
      await t.app.inject('/v1/nowhere'),
      await t.app.inject('/v1/customers/%E0%A4%A'),
    ];
    expect(responses.map((r) => r.statusCode)).toEqual([200, 200, 401, 404, 400]);
    for (const res of responses) {
      expect(res.headers).toMatchObject({ ...common, 'content-security-policy': API_CSP });
      expect(res.headers['strict-transport-security']).toBeUndefined();
    }
  });

  it('Cache-Control: no-store on every /v1 response, authenticated or refused; not on /health', async () => {
    for (const route of scoped) {
      const refused = await t.app.inject(badRequest(route));
      expect(refused.headers['cache-control'], `${route.method} ${route.url}`).toBe('no-store');
      if (route.method !== 'GET') continue;
      const read = await t.app.inject({ url: route.url, headers: t.auth });
      expect(read.headers['cache-control'], `${route.url} ${read.statusCode}`).toBe('no-store');
    }
    const login = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email: t.workspace.ownerEmail, password: t.workspace.ownerPassword },
    });
    expect(login.headers['cache-control']).toBe('no-store');
    expect((await t.app.inject('/health')).headers['cache-control']).toBeUndefined();
  });

  it('HSTS when Kizuna is served over https (secure cookies)', async () => {
    const app = await buildApp({ database: t.database, logger: false, secureCookies: true });
    try {
      for (const url of ['/health', '/v1/customers', '/docs']) {
        expect((await app.inject(url)).headers['strict-transport-security']).toBe(HSTS);
      }
    } finally {
      await app.close();
    }
  });

  it('/docs keeps working: its page loads only its own scripts and styles, served with their types, under its CSP', async () => {
    const page = await t.app.inject('/docs/');
    expect(page.statusCode).toBe(200);
    expect(page.headers).toMatchObject({ ...common, 'content-security-policy': DOCS_CSP });
    expect(DOCS_CSP).toContain("script-src 'self'");
    expect(DOCS_CSP).toContain("frame-ancestors 'none'");
    // No inline script (script-src has no 'unsafe-inline'): every <script> has a src and no body.
    const scripts = [...page.body.matchAll(/<script([^>]*)>([^<]*)<\/script>/g)];
    expect(scripts.length).toBeGreaterThanOrEqual(3);
    for (const [, attributes, body] of scripts) {
      expect(attributes).toMatch(/src="\.\//);
      expect(body!.trim()).toBe('');
    }
    const assets = [...page.body.matchAll(/(?:src|href)="\.\/([^"]+)"/g)].map((m) => m[1]!);
    for (const asset of assets) {
      const res = await t.app.inject(`/docs/${asset}`);
      expect(res.statusCode, asset).toBe(200);
      const type = String(res.headers['content-type']);
      if (asset.endsWith('.js')) expect(type, asset).toMatch(/^application\/javascript/);
      if (asset.endsWith('.css')) expect(type, asset).toMatch(/^text\/css/);
      expect(res.headers['content-security-policy']).toBe(DOCS_CSP);
    }
    // The document the page fetches (connect-src 'self').
    const json = await t.app.inject('/docs/json');
    expect(json.statusCode).toBe(200);
    expect(json.json().openapi).toMatch(/^3\./);
  });
});

describe('framework errors have the one shape', () => {
  const login = '/v1/auth/login';
  it('404, 405 with Allow, bad JSON, empty JSON, 415, 413 and a malformed URL', async () => {
    expectErrorShape(await t.app.inject('/v1/nowhere'), 404, 'not_found');
    const wrongMethod = await t.app.inject({ method: 'DELETE', url: '/health' });
    expectErrorShape(wrongMethod, 405, 'method_not_allowed');
    expect(wrongMethod.headers.allow).toBe('GET, HEAD');
    const putCustomer = await t.app.inject({ method: 'PUT', url: '/v1/customers/12', headers: t.auth });
    expectErrorShape(putCustomer, 405, 'method_not_allowed');
    expect(putCustomer.headers.allow).toBe('GET, HEAD, PATCH');
    const json = { 'content-type': 'application/json' };
    const badJson = await t.app.inject({ method: 'POST', url: login, headers: json, payload: '{"email": ' });
    expectErrorShape(badJson, 400, 'invalid');
    expect(badJson.json().error.problems[0].path).toBe('(body)');
    expectErrorShape(
      await t.app.inject({ method: 'POST', url: login, headers: json, payload: '' }),
      400,
      'invalid',
    );
    const xml = await t.app.inject({
      method: 'POST',
      url: login,
      headers: { 'content-type': 'text/xml' },
      payload: '<a/>',
    });
    expectErrorShape(xml, 415, 'unsupported_media_type');
    expect(xml.json().error.problems).toEqual([
      { path: 'content-type', message: 'must be application/json' },
    ]);
    const huge = await t.app.inject({
      method: 'POST',
      url: '/v1/customers',
      headers: { ...t.auth, ...json },
      payload: JSON.stringify({ customers: [{ familyName: 'x'.repeat(11 * 1024 * 1024) }] }),
    });
    expectErrorShape(huge, 413, 'too_large');
    expectErrorShape(await t.app.inject('/v1/customers/%E0%A4%A'), 400, 'invalid');
  });

  it('a request that fails on the server: 500 in the same shape, saying where to look', async () => {
    const app = await buildApp({ database: t.database, logger: false });
    app.get('/v1/broken', async () => {
      throw new Error('boom');
    });
    try {
      const res = await app.inject('/v1/broken');
      expectErrorShape(res, 500, 'internal');
      expect(res.body).not.toContain('boom');
    } finally {
      await app.close();
    }
  });
});
