// bench/console: a cold load of the console's dashboard and customer list at 1M customers on
// PostgreSQL, to the data shown, beside the API's own time for the same requests from Node in the
// same rounds. Issue #16: goal under 1 s and under 1.5× the API; the first route's JavaScript
// ≤ 300 KB gzipped. See README.md.
//
//   node bench/console/console.ts [--customers 1000000] [--orders 3000000] [--runs 9]
//     [--url postgres://postgres@127.0.0.1:5432/postgres] [--db consolebench_console] [--keep] [--reuse]
//     [--profile]
//
// It builds the scratch database (`--db`) on that server, or with --reuse opens the one a
// previous --keep run left; without --keep it is dropped at the end.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { buildApp } from '@kizuna/server/app';
import { openDatabase } from '@kizuna/server/database';
import { CONSOLE_DIST } from '@kizuna/server/internal/web-console/routes';
import { addMember } from '@kizuna/server/workspaces';
import { sql } from 'kysely';
import pg from 'pg';
import { chromium } from 'playwright-core';
import { timeApi } from './api-time.ts';
import { coldLoad, type LoadTiming, PAGES, type PageName } from './page-load.ts';
import { describeProfile } from './profile.ts';
import { buildShop, findShop } from './shop.ts';

const { values } = parseArgs({
  options: {
    customers: { type: 'string', default: '1000000' },
    orders: { type: 'string', default: '3000000' },
    runs: { type: 'string', default: '9' },
    url: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
    db: { type: 'string', default: 'consolebench_console' },
    keep: { type: 'boolean', default: false },
    reuse: { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
  },
});
const runs = Number(values.runs);
for (const key of ['customers', 'orders', 'runs'] as const)
  if (!Number.isInteger(Number(values[key])) || Number(values[key]) < 1)
    throw new Error(`--${key}: a positive whole number, got ${values[key]}`);
if (!/^[a-z_][a-z0-9_]*$/.test(values.db)) throw new Error(`--db: a plain lower-case name, got ${values.db}`);
if (!existsSync(`${CONSOLE_DIST}index.html`))
  throw new Error('apps/console/dist is not built: run node apps/console/build/build-console.ts');
const log = (m: string) => console.log(m);
const load = () =>
  loadavg()
    .map((n) => n.toFixed(1))
    .join(' ');
log(`load average at the start: ${load()}`);

const admin = new pg.Client({ connectionString: values.url });
await admin.connect();
const dbName = values.db;
const reuse =
  values.reuse &&
  (await admin.query('select 1 from pg_database where datname = $1', [dbName])).rowCount === 1;
if (!reuse) {
  await admin.query(`drop database if exists ${dbName}`);
  await admin.query(`create database ${dbName}`);
}
const database = await openDatabase({
  kind: 'postgres',
  url: values.url.replace(/\/[^/]*$/, `/${dbName}`),
  poolSize: 10,
});
const started = Date.now();
const found = reuse ? await findShop(database) : undefined;
if (reuse && !found) throw new Error(`--reuse: ${dbName} has no bench shop; run once without --reuse`);
const workspaceId =
  found ??
  (await buildShop(database, { customers: Number(values.customers), orders: Number(values.orders), log }));
log(reuse ? `reusing ${dbName}` : `built ${dbName} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
const { rows: sizes } = await sql<{ customers: string; orders: string; friends: string }>`select
    (select count(*) from customer where workspace_id = ${workspaceId}) as customers,
    (select count(*) from customer_order where workspace_id = ${workspaceId}) as orders,
    (select count(*) from line_friend where workspace_id = ${workspaceId}) as friends`.execute(database.db);
const customers = Number(sizes[0]!.customers);
log(
  `shop: ${customers.toLocaleString()} customers, ${Number(sizes[0]!.orders).toLocaleString()} orders, ${Number(sizes[0]!.friends).toLocaleString()} LINE friends`,
);

// A member of this run, logged in through the API like the console's login page does.
const email = `bench-${randomBytes(4).toString('hex')}@example.jp`;
const password = randomBytes(18).toString('base64url');
const { userId } = await addMember(database.db, { workspaceId, email, password, role: 'owner' });
const app = await buildApp({ database, logger: false });
await app.listen({ host: '127.0.0.1', port: 0 });
const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
const login = await fetch(`${base}/v1/auth/login`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ email, password }),
});
if (login.status !== 200) throw new Error(`login: ${login.status} ${await login.text()}`);
const session = /kizuna_session=([^;]+)/.exec(login.headers.get('set-cookie') ?? '')?.[1];
if (!session) throw new Error('login: no kizuna_session cookie');
const cookie = { name: 'kizuna_session', value: session };
const apiHeaders = { cookie: `kizuna_session=${session}`, 'x-kizuna-workspace': workspaceId };

const browser = await chromium.launch({
  executablePath: process.env.KIZUNA_CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});
// The figure the dashboard must show: the customer count as the console formats it in Japanese.
const expected = new Intl.NumberFormat('ja-JP').format(customers);
const pageNames = Object.keys(PAGES) as PageName[];
const loads: Record<PageName, LoadTiming[]> = { dashboard: [], customers: [] };
const apiTimes: Record<PageName, Awaited<ReturnType<typeof timeApi>>[]> = { dashboard: [], customers: [] };

// Warm-up, not counted: the server's first requests (route compilation, the pool's connections)
// and PostgreSQL's buffers, as on a server that has been running.
for (const name of pageNames) {
  await coldLoad(browser, base + PAGES[name].path, { page: name, expected, cookie });
  await timeApi(base, name, apiHeaders);
}
const loadsSeen: string[] = [load()];
for (let round = 0; round < runs; round++) {
  // Alternate the order so that a change in the machine's load falls on both pages and on both sides.
  const order = round % 2 === 0 ? pageNames : [...pageNames].reverse();
  for (const name of order) {
    loads[name].push(await coldLoad(browser, base + PAGES[name].path, { page: name, expected, cookie }));
    apiTimes[name].push(await timeApi(base, name, apiHeaders));
  }
  loadsSeen.push(load());
}

const median = (list: number[]) => {
  const sorted = [...list].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
};
const ms = (n: number) => `${Math.round(n).toLocaleString('en')} ms`;
const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
log(`\n${runs} rounds; load average over the rounds: ${loadsSeen.join(' → ')}`);
for (const name of pageNames) {
  const l = loads[name];
  const a = apiTimes[name];
  log(`\n${name} (${PAGES[name].path})`);
  const marks = Object.keys(PAGES[name].conditions(expected));
  for (const mark of marks) {
    const times = l.map((t) => t.marks[mark]!);
    log(
      `  browser, navigation → ${mark}: median ${ms(median(times))} (min ${ms(Math.min(...times))}, max ${ms(Math.max(...times))})`,
    );
  }
  const path = a.map((t) => t.criticalPath);
  log(
    `  API from Node, the same calls (session, then the page's calls side by side): median ${ms(median(path))} (min ${ms(Math.min(...path))}, max ${ms(Math.max(...path))})`,
  );
  for (const call of Object.keys(a[0]!.calls))
    log(`    ${call}: median ${ms(median(a.map((t) => t.calls[call]!)))} alone`);
  for (const mark of marks)
    log(
      `  ratio browser / API (medians, ${mark}): ${(median(l.map((t) => t.marks[mark]!)) / median(path)).toFixed(1)}×`,
    );
  log(`  waterfall (medians in the page): html ${ms(median(l.map((t) => t.htmlMs)))}`);
  log(`    first API call sent at ${ms(median(l.map((t) => t.firstCallMs)))} (the entry's scripts had run)`);
  for (const call of Object.keys(l[0]!.api))
    log(
      `    ${call}: sent ${ms(median(l.map((t) => t.api[call]?.sent ?? Number.NaN)))}, answered ${ms(median(l.map((t) => t.api[call]?.answered ?? Number.NaN)))}`,
    );
  const main = (key: 'tasks' | 'script' | 'layout') => ms(median(l.map((t) => t.mainThread[key])));
  log(
    `  the page's main thread over the load (CDP): tasks ${main('tasks')}, of which script ${main('script')}, style and layout ${main('layout')}`,
  );
  const total = (files: Record<string, number>) => Object.values(files).reduce((a, b) => a + b, 0);
  const firstJs = l.at(-1)!.firstJs;
  log(
    `  the first route's JavaScript (requested before its first data arrived): ${kb(total(firstJs))} gzipped in ${Object.keys(firstJs).length} files; all scripts up to the last mark: ${kb(total(l.at(-1)!.allJs))}`,
  );
  for (const [file, bytes] of Object.entries(firstJs)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 6))
    log(`    ${file}: ${kb(bytes)}`);
}

if (values.profile)
  for (const name of pageNames) {
    const profiled = await coldLoad(browser, base + PAGES[name].path, {
      page: name,
      expected,
      cookie,
      profile: true,
    });
    log(
      `\n${name}: one more cold load with the CPU profiler on (not counted above), marks ${JSON.stringify(profiled.marks)}`,
    );
    if (profiled.profile) for (const line of describeProfile(profiled.profile)) log(line);
    log('    waterfall (sent → answered, ms):');
    for (const r of profiled.waterfall ?? [])
      log(`      ${r.name}: ${Math.round(r.sent)} → ${Math.round(r.answered)}`);
  }

await browser.close();
await app.close();
await database.db.deleteFrom('app_user').where('id', '=', userId).execute();
await database.close();
if (!values.keep) await admin.query(`drop database ${dbName}`);
else log(`\nkept ${dbName}: rerun with --reuse (drop it with: psql … -c 'drop database ${dbName}')`);
await admin.end();
