// bench/auth: how long a real user's login takes while anonymous clients guess passwords, beside
// the same login with nobody guessing, measured in the same run; and how far the process's memory
// rises. The issue this answers (#19 item 7): 16 anonymous streams slowed a real login to 7 s and
// raised memory by 500 MiB before hashing was bounded and failures were throttled.
//
//   node bench/auth/login-under-attack.ts [--streams 16] [--seconds 30] [--url postgres://…]
//
// Embedded database (PGlite, in memory) unless --url names a PostgreSQL database to use a fresh
// schema of. Requests go through Fastify's inject, as the tests' do: no port.

import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { buildApp } from '@kizuna/server/app';
import { type Database, openDatabase } from '@kizuna/server/database';
import { migrate } from '@kizuna/server/migrate';
import { addMember, initWorkspace } from '@kizuna/server/workspaces';
import { sql } from 'kysely';

const { values } = parseArgs({
  options: {
    streams: { type: 'string', default: '16' },
    seconds: { type: 'string', default: '30' },
    url: { type: 'string' },
  },
});
const streams = Number(values.streams);
const seconds = Number(values.seconds);

async function open(): Promise<Database> {
  if (!values.url) return openDatabase({ kind: 'pglite' });
  const schema = `bench_auth_${randomBytes(4).toString('hex')}`;
  const admin = await openDatabase({ kind: 'postgres', url: values.url, poolSize: 1 });
  await sql`create schema ${sql.id(schema)}`.execute(admin.db);
  await admin.close();
  return openDatabase({ kind: 'postgres', url: values.url, schema, poolSize: 10 });
}

const database = await open();
await migrate(database);
const app = await buildApp({ database, logger: false });
const { workspaceId } = await initWorkspace(database.db, {
  name: 'bench',
  ownerEmail: 'bench-owner@example.jp',
});
const EMAIL = 'real-user@example.jp';
const PASSWORD = 'the real user knows this one';
await addMember(database.db, { workspaceId, email: EMAIL, password: PASSWORD, role: 'staff' });

const login = (email: string, password: string, ip: string) =>
  app.inject({ method: 'POST', url: '/v1/auth/login', remoteAddress: ip, payload: { email, password } });

let deviceCookie = '';
/** One real login; `returning`: from the browser that logged in before (it sends its device cookie). */
async function timedRealLogin(n: number, returning = false): Promise<number> {
  const started = performance.now();
  const res = await app.inject({
    method: 'POST',
    url: '/v1/auth/login',
    remoteAddress: `198.51.100.${n % 250}`,
    ...(returning ? { headers: { cookie: deviceCookie } } : {}),
    payload: { email: EMAIL, password: PASSWORD },
  });
  if (res.statusCode !== 200) throw new Error(`real login answered ${res.statusCode}: ${res.body}`);
  const device = /kz_device=[^;]+/.exec(String(res.headers['set-cookie']))?.[0];
  if (device) deviceCookie = device;
  return performance.now() - started;
}

const quantile = (xs: number[], q: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
};
const summary = (xs: number[]) =>
  `median ${quantile(xs, 0.5).toFixed(0)} ms, p90 ${quantile(xs, 0.9).toFixed(0)} ms, max ${Math.max(...xs).toFixed(0)} ms (n=${xs.length})`;
const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(0);

// Baseline: nobody guessing.
const baseline: number[] = [];
for (let i = 0; i < 8; i++) baseline.push(await timedRealLogin(i));
const rssBefore = process.memoryUsage().rss;

// Attack: each stream is one client address guessing a new email every time (so only the
// per-client counter can slow it), as fast as the answers come, while the real user logs in once
// a second from their own address.
const end = Date.now() + seconds * 1000;
const outcomes = new Map<string, number>();
let rssPeak = rssBefore;
const sampler = setInterval(() => {
  rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
}, 50);
const attackers = Array.from({ length: streams }, async (_, s) => {
  for (let i = 0; Date.now() < end; i++) {
    const res = await login(`guess${s}-${i}@example.jp`, `guess ${i}`, `203.0.113.${s + 1}`);
    const kind =
      res.statusCode === 429 ? `429 ${res.json().error.message.slice(0, 20)}…` : String(res.statusCode);
    outcomes.set(kind, (outcomes.get(kind) ?? 0) + 1);
  }
});
// The real user alternates between the browser they logged in from before (device cookie) and a
// new device, starting with the returning browser at the same moment as the streams' first tries.
const during: { at: number; ms: number; returning: boolean }[] = [];
const started = Date.now();
for (let n = 0; Date.now() < end; n++) {
  const at = (Date.now() - started) / 1000;
  const returning = n % 2 === 0;
  const ms = await timedRealLogin(100 + n, returning);
  during.push({ at, ms, returning });
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, 1000 - ms)));
}
await Promise.all(attackers);
clearInterval(sampler);

const bucket = (returning: boolean, early: boolean) =>
  summary(during.filter((d) => d.returning === returning && d.at < 10 === early).map((d) => d.ms));
console.log(`database: ${database.kind}; ${streams} guessing streams for ${seconds} s`);
console.log(`real login, nobody guessing:                                  ${summary(baseline)}`);
console.log(`returning browser, started in the first 10 s of guessing:    ${bucket(true, true)}`);
console.log(`new device, started in the first 10 s of guessing:           ${bucket(false, true)}`);
console.log(`returning browser, started after 10 s of guessing:           ${bucket(true, false)}`);
console.log(`new device, started after 10 s of guessing:                  ${bucket(false, false)}`);
console.log(`guesses answered: ${[...outcomes].map(([k, v]) => `${k} ×${v}`).join(', ')}`);
console.log(
  `RSS ${mib(rssBefore)} MiB before guessing, peak ${mib(rssPeak)} MiB (+${mib(rssPeak - rssBefore)} MiB)`,
);
await app.close();
await database.close();
