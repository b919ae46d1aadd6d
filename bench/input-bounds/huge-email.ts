// bench/input-bounds: what one huge email costs (issue #19 item 2), beside the regex the email
// check replaced, measured in the same run.
//
//   node bench/input-bounds/huge-email.ts [--rounds 5]
//
// Runs the API in-process on an in-memory PGlite. For each place an email is accepted it sends
// a 1 MiB email (the shape that makes the old regex backtrack) `rounds` times and prints the
// median and least of: the whole request's CPU, the handling's CPU and wall time (from the
// parsed body to the answer), and how long /health took when sent alongside.

import { parseArgs } from 'node:util';
import { buildApp } from '@kizuna/server/app';
import { openDatabase } from '@kizuna/server/database';
import { isEmailAddress } from '@kizuna/server/internal/shared/email';
import { migrate } from '@kizuna/server/migrate';
import { initWorkspace } from '@kizuna/server/workspaces';
import type { InjectOptions } from 'fastify';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '5' } } });
const rounds = Number(values.rounds);
const OLD_EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const HUGE = `hanako@${'a.'.repeat(512 * 1024)}@`;

const cpuNow = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (xs: number[]) => `${median(xs).toFixed(1)} (min ${Math.min(...xs).toFixed(1)})`;

console.log('The regex the check replaced, on prefixes of the 1 MiB email (quadratic):');
for (const n of [10_000, 20_000, 40_000]) {
  const s = `${HUGE.slice(0, n)}@`;
  const t = performance.now();
  OLD_EMAIL.test(s);
  const ms = performance.now() - t;
  console.log(
    `  ${n.toLocaleString()} chars: ${ms.toFixed(0)} ms → 1 MiB ≈ ${((ms * (HUGE.length / n) ** 2) / 60_000).toFixed(0)} min`,
  );
}
const t0 = performance.now();
for (let i = 0; i < rounds; i++) isEmailAddress(HUGE);
console.log(`isEmailAddress on 1 MiB: ${((performance.now() - t0) / rounds).toFixed(3)} ms\n`);

const database = await openDatabase({ kind: 'pglite' });
await migrate(database);
const ws = await initWorkspace(database.db, { name: 'bench', ownerEmail: 'owner@example.jp' });
const app = await buildApp({ database, logger: false });
const handled = new Map<string, { cpu: number; wall: number }>();
const started = new Map<string, { cpu: number; wall: number }>();
app.addHook(
  'preValidation',
  async (req) => void started.set(req.id, { cpu: cpuNow(), wall: performance.now() }),
);
app.addHook('onResponse', async (req) => {
  const s = started.get(req.id);
  if (s) handled.set(req.id, { cpu: cpuNow() - s.cpu, wall: performance.now() - s.wall });
});
const auth = { authorization: `Bearer ${ws.apiKey}`, 'content-type': 'application/json' };
const at = '2026-04-01T10:00:00+09:00';
const places: [string, InjectOptions][] = [
  ['POST /v1/customers', { url: '/v1/customers', payload: { customers: [{ email: HUGE }] } }],
  [
    'POST /v1/orders',
    {
      url: '/v1/orders',
      payload: { orders: [{ id: 'o', customer: { email: HUGE }, orderedAt: at, total: 1 }] },
    },
  ],
  [
    'POST /v1/events',
    {
      url: '/v1/events',
      payload: { events: [{ type: 'login', occurredAt: at, customer: { email: HUGE } }] },
    },
  ],
  [
    'POST /v1/visits',
    { url: '/v1/visits', payload: { visits: [{ id: 'v', customer: { email: HUGE }, visitedAt: at }] } },
  ],
  [
    'POST /v1/members',
    { url: '/v1/members', payload: { email: HUGE, password: 'a long enough password', role: 'staff' } },
  ],
  ['POST /v1/auth/login', { url: '/v1/auth/login', payload: { email: HUGE, password: 'x' } }],
];
console.log('place | status | request CPU ms | handling CPU ms | handling wall ms | /health alongside ms');
for (const [name, options] of places) {
  const body = JSON.stringify(options.payload);
  const request = { ...options, method: 'POST' as const, headers: auth, payload: body };
  const whole: number[] = [];
  const cpu: number[] = [];
  const wall: number[] = [];
  const health: number[] = [];
  let status = 0;
  for (let i = 0; i < rounds; i++) {
    const before = cpuNow();
    const res = await app.inject(request);
    whole.push(cpuNow() - before);
    status = res.statusCode;
    const h = handled.get(String(res.headers['x-request-id']))!;
    cpu.push(h.cpu);
    wall.push(h.wall);
    const t = performance.now();
    const [, healthMs] = await Promise.all([
      app.inject(request),
      app.inject('/health').then(() => performance.now() - t),
    ]);
    health.push(healthMs);
  }
  console.log(`${name} | ${status} | ${fmt(whole)} | ${fmt(cpu)} | ${fmt(wall)} | ${fmt(health)}`);
}
await app.close();
await database.close();
