// The web console served at / beside the API: its page for client routes, its assets cached for
// good, its own CSP, and the API's 404 and 405 unchanged under /v1.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_CSP, CONSOLE_CSP } from '../src/http/security-headers.ts';
import { CONSOLE_DIST, registerWebConsoleRoutes } from '../src/web-console/routes.ts';
import { createTestApp, type TestApp } from './helpers.ts';

let t: TestApp;
beforeAll(async () => {
  // `./kizuna test` builds the console first (the kizuna script rebuilds it when a source changed).
  if (!existsSync(join(CONSOLE_DIST, 'index.html')))
    throw new Error(
      `no console build in ${CONSOLE_DIST}: run ./kizuna test (or node apps/console/build/build-console.ts)`,
    );
  t = await createTestApp();
});
afterAll(async () => t?.close());

describe('the console at /', () => {
  it('serves index.html at / and at client routes, revalidated each load, under the console CSP', async () => {
    // The console's LINE pages too, reloaded or bookmarked: only /line/webhook is the server's.
    for (const url of ['/', '/customers/12', '/segments?x=1', '/line', '/line/rich-menus/new']) {
      const res = await t.app.inject(url);
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.body).toContain('<div id="root"></div>');
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.headers['content-security-policy']).toBe(CONSOLE_CSP);
      expect(res.headers['x-frame-options']).toBe('DENY');
    }
    // The page may run only its own scripts: no inline script, no other origin.
    expect(CONSOLE_CSP).toContain("script-src 'self';");
    expect(CONSOLE_CSP).toContain("frame-ancestors 'none'");
  });

  it('serves the hashed assets the page names, cached for a year', async () => {
    const page = (await t.app.inject('/')).body;
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(page)?.[1];
    expect(script).toBeDefined();
    const res = await t.app.inject(script!);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/javascript/);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const zipped = await t.app.inject({ url: script!, headers: { 'accept-encoding': 'gzip, br' } });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(zipped.rawPayload).equals(res.rawPayload)).toBe(true);
    expect(zipped.rawPayload.length).toBeLessThan(res.rawPayload.length / 2);
    const missing = await t.app.inject('/assets/nothing-here.js');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('not_found');
  });

  it('leaves the API alone: unknown /v1 paths are JSON 404, a wrong method 405, under the API CSP', async () => {
    const unknown = await t.app.inject('/v1/nowhere');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('not_found');
    expect(unknown.headers['content-security-policy']).toBe(API_CSP);
    const wrongMethod = await t.app.inject('/v1/auth/login');
    expect(wrongMethod.statusCode).toBe(405);
    expect(wrongMethod.headers.allow).toBe('POST');
    // The console answers GETs only: a POST to a page path is not offered GET as a 405.
    const post = await t.app.inject({ method: 'POST', url: '/customers' });
    expect(post.statusCode).toBe(404);
    // LINE's webhook stays the server's: a GET there is the API's answer, not the console page.
    const webhook = await t.app.inject('/line/webhook/1234567890');
    expect(webhook.headers['content-type']).toMatch(/json/);
    expect([404, 405]).toContain(webhook.statusCode);
    expect((await t.app.inject('/docs/json')).json().paths['/']).toBeUndefined();
  });
});

describe('without a build', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'kizuna-no-console-'));
    mkdirSync(join(dir, 'assets'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('says in Japanese and English how to build it (503), instead of a blank page', async () => {
    const app = Fastify();
    registerWebConsoleRoutes(app as never, undefined, `${dir}/`);
    const res = await app.inject('/dashboard');
    expect(res.statusCode).toBe(503);
    expect(res.body).toContain('./kizuna start');
    expect(res.body).toContain('管理画面がビルドされていません');
    expect(readdirSync(dir)).toEqual(['assets']);
    await app.close();
  });
});
