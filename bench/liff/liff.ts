// bench/liff: time to a usable membership card on a cold load of the LIFF app, with Chromium's CPU
// slowed 4× and a 4G network (Chrome DevTools' presets), beside the same page's static HTML in
// the same run. Issue #18: goal ≤ 1.5 s. See README.md.
//
//   node bench/liff/liff.ts [--runs 9] [--profiles fast4g,slow4g] [--cpu 4] [--before DIR]
//     [--url postgres://postgres@127.0.0.1:5432/test]
//
// The real server (Fastify listening on loopback, PGlite in memory unless --url) serves the built
// app (apps/liff/dist) and the member API; the LINE sandbox mints the ID token, which the page
// gets through @line/liff-mock as in apps/liff/test/liff.test.ts.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startLineSandbox } from '@kizuna/line-sandbox';
import { buildApp } from '@kizuna/server/app';
import { type Database, openDatabase } from '@kizuna/server/database';
import { parseLineHostAllowance } from '@kizuna/server/internal/line/line-hosts';
import { createSecretBox } from '@kizuna/server/internal/shared/secret-box';
import { migrate } from '@kizuna/server/migrate';
import { initWorkspace } from '@kizuna/server/workspaces';
import { sql } from 'kysely';
import { chromium } from 'playwright-core';
import { coldLoad, type LoadTiming, NETWORK_PROFILES, type ProfileName } from './browser-load.ts';
import { startFrontServer } from './front-server.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '9' },
    profiles: { type: 'string', default: 'fast4g,slow4g' },
    cpu: { type: 'string', default: '4' },
    before: { type: 'string' },
    url: { type: 'string' },
  },
});
const runs = Number(values.runs);
const cpuRate = Number(values.cpu);
const profiles = String(values.profiles).split(',') as ProfileName[];
for (const p of profiles) if (!(p in NETWORK_PROFILES)) throw new Error(`--profiles: unknown profile ${p}`);
const DIST = fileURLToPath(new URL('../../apps/liff/dist/', import.meta.url));
if (!existsSync(`${DIST}build-info.json`))
  throw new Error(
    'apps/liff/dist is not built: run node apps/liff/build/build-liff.ts (or ./kizuna typecheck)',
  );
if (values.before && !existsSync(`${values.before}/index.html`))
  throw new Error(`--before: ${values.before} has no index.html (see bench/liff/build-at.ts)`);
const LIFF_ID = '2000000001-BenchLf1';
const load0 = loadavg();

const schema = `bench_liff_${randomBytes(4).toString('hex')}`;
async function open(): Promise<Database> {
  if (!values.url) return openDatabase({ kind: 'pglite' });
  const admin = await openDatabase({ kind: 'postgres', url: values.url, poolSize: 1 });
  await sql`create schema ${sql.id(schema)}`.execute(admin.db);
  await admin.close();
  return openDatabase({ kind: 'postgres', url: values.url, schema, poolSize: 10 });
}

const database = await open();
await migrate(database);
const app = await buildApp({
  database,
  logger: false,
  secrets: createSecretBox(randomBytes(32)),
  lineHosts: parseLineHostAllowance('127.0.0.1', false),
});
await app.listen({ host: '127.0.0.1', port: 0 });
const kizunaUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
const line = await startLineSandbox({ seed: 18 });
const { apiKey } = await initWorkspace(database.db, {
  name: 'ベンチ店',
  ownerEmail: 'bench-owner@example.jp',
});
const staff = async (url: string, payload: object) => {
  const res = await app.inject({
    method: 'PUT',
    url,
    headers: { authorization: `Bearer ${apiKey}` },
    payload,
  });
  if (res.statusCode !== 200) throw new Error(`PUT ${url}: ${res.statusCode} ${res.body}`);
  return res.json() as { id: string };
};
const channel = await staff('/v1/line/channels/1650000018', {
  channelSecret: 'secret-0018',
  accessToken: 'token-0018',
  apiBaseUrl: line.url,
});
await staff(`/v1/liff/apps/${channel.id}`, {
  liffId: LIFF_ID,
  loginChannelId: line.login.channelId,
  loginChannelSecret: line.login.channelSecret,
});
const member = line.users.create({ displayName: '会員 花子' });
// A returning member: the first-open survey is answered, so every load lands on the card.
{
  const opened = await app.inject({
    method: 'POST',
    url: '/v1/liff/session',
    payload: { liffId: LIFF_ID, idToken: line.login.mintIdToken(member.userId) },
  });
  const answered = await app.inject({
    method: 'PUT',
    url: '/v1/liff/me/profile',
    headers: { authorization: `Bearer ${opened.json().token}` },
    payload: { answers: {} },
  });
  if (answered.statusCode !== 200)
    throw new Error(`the survey answer: ${answered.statusCode} ${answered.body}`);
}
const front = await startFrontServer({ dist: DIST, beforeDist: values.before, kizunaUrl });
const browser = await chromium.launch({
  executablePath: process.env.KIZUNA_CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});

const pages: [string, string][] = [
  ['app', `${kizunaUrl}/liff/${LIFF_ID}`],
  ...(values.before ? ([['app before', `${front.url}/liff/${LIFF_ID}`]] as [string, string][]) : []),
  ['static HTML', `${front.url}/static/card`],
];
const load = (url: string, profile: ProfileName) =>
  coldLoad(browser, url, { profile, cpuRate, idToken: line.login.mintIdToken(member.userId) });

// Warm-up, not counted: the server fetches the sandbox's JWKS once and keeps it (as it keeps
// LINE's), and the card as the app draws it becomes the static page.
const warm = await browser.newPage();
await warm.addInitScript({
  content: `globalThis.kizunaLiffMock = { idToken: ${JSON.stringify(line.login.mintIdToken(member.userId))} };`,
});
await warm.goto(`${kizunaUrl}/liff/${LIFF_ID}`);
await warm.locator('svg[data-payload] path').waitFor({ timeout: 60_000 });
const rendered = await warm.evaluate<string>('document.documentElement.outerHTML');
await warm.close();
front.setStaticCard(
  `<!doctype html>\n${rendered.replace(/<script\b[^>]*>[\s\S]*?<\/script>/g, '').replaceAll('/liff/assets/', '/static/liff/assets/')}`,
);
for (const profile of profiles) for (const [, url] of pages) await load(url, profile);

// Rounds alternate the pages and profiles, so that a change in the machine's load falls on all.
const results = new Map<string, LoadTiming[]>();
for (let round = 0; round < runs; round++) {
  for (const profile of profiles) {
    for (const [name, url] of pages) {
      const key = `${profile}\t${name}`;
      const list = results.get(key) ?? [];
      list.push(await load(url, profile));
      results.set(key, list);
    }
  }
  process.stderr.write(`round ${round + 1}/${runs} done\n`);
}
const load1 = loadavg();

const quantile = (xs: number[], q: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
};
const ms = (x: number) => (Number.isNaN(x) ? '—' : `${Math.round(x)}`);
const median = (xs: number[]) => quantile(xs, 0.5);

console.log(`\nbench/liff: cold load to a usable card, CPU ${cpuRate}× slower, ${runs} runs each (ms)\n`);
console.log(
  '| network | page | median | p90 | min | max | HTML | first paint | js | mock | session | card | KB |',
);
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const [key, list] of results) {
  const [profile, name] = key.split('\t') as [ProfileName, string];
  const ready = list.map((r) => r.readyMs);
  const res = (what: string) =>
    ms(median(list.flatMap((r) => (r.resources[what] === undefined ? [] : [r.resources[what]]))));
  console.log(
    `| ${NETWORK_PROFILES[profile].label} | ${name} | ${ms(median(ready))} | ${ms(quantile(ready, 0.9))} | ${ms(Math.min(...ready))} | ${ms(Math.max(...ready))} | ${ms(median(list.map((r) => r.htmlMs)))} | ${ms(median(list.flatMap((r) => (r.firstPaintMs === undefined ? [] : [r.firstPaintMs]))))} | ${res('js')} | ${res('mock')} | ${res('session')} | ${res('card')} | ${(median(list.map((r) => r.bytes)) / 1024).toFixed(1)} |`,
  );
}
for (const profile of profiles) {
  const app = median((results.get(`${profile}\tapp`) ?? []).map((r) => r.readyMs));
  const base = median((results.get(`${profile}\tstatic HTML`) ?? []).map((r) => r.readyMs));
  console.log(
    `\n${NETWORK_PROFILES[profile].label}: app ${ms(app)} ms against static ${ms(base)} ms (${(app / base).toFixed(2)}×); goal ≤ 1500 ms: ${app <= 1500 ? 'met' : 'not met'}`,
  );
}
console.log(
  `\nThe columns after max are medians of responseEnd (ms since navigation start). Load average ${load0.map((x) => x.toFixed(2)).join(' / ')} → ${load1.map((x) => x.toFixed(2)).join(' / ')}.`,
);

await browser.close();
await front.close();
await line.close();
await app.close();
await database.close();
if (values.url) {
  // The scratch schema goes with the run.
  const admin = await openDatabase({ kind: 'postgres', url: values.url, poolSize: 1 });
  await sql`drop schema ${sql.id(schema)} cascade`.execute(admin.db);
  await admin.close();
}
