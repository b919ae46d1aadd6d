// The LIFF member app served at /liff/ beside the console: its page at the endpoint URL
// /liff/<liffId>, its assets under /liff/assets, its own CSP, and a clear 503 before a build.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_CSP, LIFF_CSP } from '../src/http/security-headers.ts';
import { LIFF_DIST, registerLiffAppRoutes } from '../src/web-console/liff-app-routes.ts';
import { createTestApp, type TestApp } from './helpers.ts';

let t: TestApp;
beforeAll(async () => {
  // `./kizuna test` builds the LIFF app first (the kizuna script rebuilds it when a source changed).
  if (!existsSync(join(LIFF_DIST, 'index.html')))
    throw new Error(
      `no LIFF build in ${LIFF_DIST}: run ./kizuna test (or node apps/liff/build/build-liff.ts)`,
    );
  t = await createTestApp();
});
afterAll(async () => t?.close());

describe('the LIFF app at /liff/', () => {
  it('answers its page at the endpoint URL, under the LIFF CSP, not the console', async () => {
    const consolePage = (await t.app.inject('/')).body;
    for (const url of [
      '/liff',
      '/liff/',
      '/liff/2000000001-AbCdEfGh',
      '/liff/2000000001-AbCdEfGh/coupons?x=1',
    ]) {
      const res = await t.app.inject(url);
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.headers['content-security-policy'], url).toBe(LIFF_CSP);
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.body).toContain('/liff/assets/');
      expect(res.body).not.toBe(consolePage);
    }
    // Only its own scripts and styles (no inline style: the app has no CSS-in-JS); LINE's hosts for the SDK.
    expect(LIFF_CSP).toContain("script-src 'self';");
    expect(LIFF_CSP).toContain("style-src 'self'");
    expect(LIFF_CSP).not.toContain('unsafe-inline');
    expect(LIFF_CSP).toContain("connect-src 'self' https://api.line.me");
    expect((await t.app.inject('/customers')).headers['content-security-policy']).toBe(CONSOLE_CSP);
  });

  it('serves the hashed assets its page names; an unknown one is the JSON 404', async () => {
    const page = (await t.app.inject('/liff/')).body;
    const script = /src="(\/liff\/assets\/[^"]+\.js)"/.exec(page)?.[1];
    expect(script).toBeDefined();
    const res = await t.app.inject(script ?? '');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/javascript/);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const missing = await t.app.inject('/liff/assets/nothing-here.js');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('not_found');
  });
});

describe('without a LIFF build', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'kizuna-no-liff-'));
    mkdirSync(join(dir, 'assets'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('says in Japanese and English how to build it (503)', async () => {
    const app = Fastify();
    registerLiffAppRoutes(app as never, `${dir}/`);
    const res = await app.inject('/liff/2000000001-AbCdEfGh');
    expect(res.statusCode).toBe(503);
    expect(res.body).toContain('./kizuna start');
    expect(res.body).toContain('LIFFアプリがビルドされていません');
    await app.close();
  });
});
