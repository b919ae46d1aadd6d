// The committed contract (packages/contracts) must be what the routes serve: a changed route
// schema fails here until `./kizuna contracts` regenerates it. The typed client is exercised
// against the real app, in process.
import { readFileSync } from 'node:fs';
import { createKizunaClient } from '@kizuna/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOpenApiDocument, firstDifference, type OpenApiDocument } from '../src/http/openapi-document.ts';
import { createTestApp, type TestApp } from './helpers.ts';

const committedUrl = new URL('../../../packages/contracts/openapi.json', import.meta.url);

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

describe('the API contract', () => {
  it('packages/contracts/openapi.json is the document the routes produce (else run ./kizuna contracts)', async () => {
    const committed = JSON.parse(readFileSync(committedUrl, 'utf8')) as OpenApiDocument;
    const produced = await buildOpenApiDocument({ database: t.database });
    const difference = firstDifference(produced, committed);
    expect(difference, `the API changed at ${difference}: run ./kizuna contracts and commit the result`).toBe(
      undefined,
    );
  });

  it('names the first differing path, a new route and a removed one', () => {
    const base: OpenApiDocument = { openapi: '3.0.3', paths: { '/a': { get: {} }, '/b': { get: {} } } };
    expect(firstDifference(base, structuredClone(base))).toBe(undefined);
    expect(firstDifference({ ...base, paths: { '/a': { get: {} }, '/b': { post: {} } } }, base)).toBe(
      'paths./b',
    );
    expect(firstDifference({ ...base, paths: { ...base.paths, '/c': {} } }, base)).toBe(
      'paths./c (new route, not in the committed document)',
    );
    expect(firstDifference({ ...base, paths: { '/a': { get: {} } } }, base)).toBe(
      'paths./b (in the committed document, no longer served)',
    );
  });

  it('the typed client reads a customer through the real routes', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/v1/customers',
      headers: t.auth,
      payload: { customers: [{ email: 'hanako@example.jp', familyName: '山田' }] },
    });
    expect(created.statusCode, created.body).toBeLessThan(300);
    const id = created.json().accepted[0].id as number;
    const kizuna = createKizunaClient({
      baseUrl: 'http://kizuna.test',
      headers: t.auth,
      // Requests go to the app in process (no port), as every HTTP test here does.
      fetch: async (request: Request) => {
        const reply = await t.app.inject({
          method: request.method as 'GET',
          url: new URL(request.url).pathname + new URL(request.url).search,
          headers: Object.fromEntries(request.headers),
        });
        return new Response(reply.body, {
          status: reply.statusCode,
          headers: { 'content-type': 'application/json' },
        });
      },
    });
    const { data, error } = await kizuna.GET('/v1/customers/{id}', { params: { path: { id } } });
    expect(error).toBe(undefined);
    expect(data?.id).toBe(id);
    expect(data?.familyName).toBe('山田');
  });
});
