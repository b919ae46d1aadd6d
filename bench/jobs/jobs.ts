// bench/jobs: do the loyalty and segment queues keep up with ingest (issue #19, item 3)? The real
// server (`kizuna start`: API and worker in one process, as a child process) on PostgreSQL takes
// ingest batches of orders and events as fast as its API accepts them from a few clients; the
// queues' depth is read from /health/detail while they come and until both queues are empty.
// Then the same jobs' handlers run again, called directly against the database with no queue in
// between, as the baseline measured in the same run; the points and segment memberships are
// checked after each.
//
//   node bench/jobs/jobs.ts [--batches 10000] [--concurrency 4] [--customers 5000]
//     [--orders-per-batch 10] [--events-per-batch 20] [--url postgres://postgres@127.0.0.1:5432/postgres]
//
// It creates (and afterwards drops) a scratch database `kizuna_bench_jobs` on that server.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { openDatabase } from '@kizuna/server/database';
import { JOBS } from '@kizuna/server/internal/jobs/registry';
import { migrate } from '@kizuna/server/migrate';
import { initWorkspace } from '@kizuna/server/workspaces';
import pg from 'pg';
import { completedJobs, resetDerived, runDirectly, verify } from './check.ts';
import { batchBody, RULES, SEGMENTS } from './workload.ts';

const { values } = parseArgs({
  options: {
    batches: { type: 'string', default: '10000' },
    concurrency: { type: 'string', default: '4' },
    customers: { type: 'string', default: '5000' },
    'orders-per-batch': { type: 'string', default: '10' },
    'events-per-batch': { type: 'string', default: '20' },
    port: { type: 'string', default: '3917' },
    url: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
  },
});
const batches = Number(values.batches);
const workload = {
  customers: Number(values.customers),
  ordersPerBatch: Number(values['orders-per-batch']),
  eventsPerBatch: Number(values['events-per-batch']),
};
const QUEUES = ['loyalty-orders', 'segments-recompute'] as const;
const dbName = 'kizuna_bench_jobs';

const admin = new pg.Client({ connectionString: values.url });
await admin.connect();
await admin.query(`drop database if exists ${dbName}`);
await admin.query(`create database ${dbName}`);
const benchUrl = values.url.replace(/\/[^/]*$/, `/${dbName}`);
const database = await openDatabase({ kind: 'postgres', url: benchUrl, poolSize: 4 });
await migrate(database);
const { workspaceId, apiKey } = await initWorkspace(database.db, {
  name: 'bench',
  ownerEmail: 'bench@example.jp',
});
const headers = { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' };

// The server, as `kizuna start` runs it: the workspace exists, so start-up creates none.
const base = `http://127.0.0.1:${values.port}`;
const server = spawn(process.execPath, ['apps/server/bin/kizuna.js', 'start'], {
  env: {
    ...process.env,
    DATABASE_URL: benchUrl,
    KIZUNA_SECRET_KEY: randomBytes(32).toString('hex'),
    PORT: values.port,
    KIZUNA_LOG_LEVEL: 'warn',
  },
  stdio: ['ignore', 'ignore', 'inherit'],
});
const exited = new Promise<number | null>((resolve) => server.on('exit', resolve));
await until(
  async () => (await fetch(`${base}/health`).catch(() => undefined))?.ok,
  60_000,
  'the server started',
);

async function call(method: string, url: string, body?: string) {
  const res = await fetch(`${base}${url}`, { method, headers, ...(body ? { body } : {}) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}
await call('PUT', '/v1/loyalty/rules', JSON.stringify(RULES));
const segmentIds: number[] = [];
for (const [i, definition] of SEGMENTS.entries())
  segmentIds.push(
    Number((await call('POST', '/v1/segments', JSON.stringify({ name: `S${i}`, definition }))).id),
  );

// Queue depth (ready + deferred + active) per queue, sampled from /health/detail.
interface Sample {
  at: number;
  depth: Record<string, number>;
  failed: number;
}
const samples: Sample[] = [];
async function sample() {
  const { jobs } = (await call('GET', '/health/detail')) as {
    jobs: { queues: { name: string; ready: number; deferred: number; active: number; failed: number }[] };
  };
  const ours = jobs.queues.filter((q) => (QUEUES as readonly string[]).includes(q.name));
  const s = {
    at: performance.now(),
    depth: Object.fromEntries(ours.map((q) => [q.name, q.ready + q.deferred + q.active])),
    failed: ours.reduce((n, q) => n + q.failed, 0),
  };
  samples.push(s);
  return s;
}
let sampling = true;
const sampler = (async () => {
  while (sampling) {
    await sample();
    await new Promise((r) => setTimeout(r, 250));
  }
})();

const now = Date.now();
let next = 0;
const started = performance.now();
await Promise.all(
  Array.from({ length: Number(values.concurrency) }, async () => {
    while (next < batches) {
      const b = next++;
      const { url, body } = batchBody(b, workload, now);
      await call('POST', url, body);
      if (b % 1000 === 999)
        console.error(`${b + 1} batches sent, ${((performance.now() - started) / 1000).toFixed(0)} s`);
    }
  }),
);
const lastAccepted = performance.now();
const ingestSeconds = (lastAccepted - started) / 1000;
await until(
  async () => {
    const s = await sample();
    return QUEUES.every((q) => (s.depth[q] ?? 0) === 0);
  },
  3_600_000,
  'the loyalty and segment queues drained',
);
sampling = false;
await sampler;
server.kill('SIGTERM');
if ((await exited) !== 0) console.error('the server did not exit cleanly');
const loadDuring = loadavg();

// Per queue: the first sample at zero after the last one that was not.
const drainSeconds = (queue: string) => {
  const busy = samples.findLastIndex((s) => (s.depth[queue] ?? 0) > 0);
  const idle = samples.slice(busy + 1).find((s) => (s.depth[queue] ?? 0) === 0)!;
  return Math.max(0, (idle.at - lastAccepted) / 1000);
};
const maxDepth = (queue: string) => Math.max(...samples.map((s) => s.depth[queue] ?? 0));
const served = Object.fromEntries(QUEUES.map((q) => [q, { drain: drainSeconds(q), max: maxDepth(q) }]));
console.error('drained; checking, then running the same jobs directly');
const problemsServed = await verify(database, workspaceId, segmentIds);

// The baseline: the same jobs, their handlers called directly, from the state before they ran.
const direct: Record<string, { jobs: number; seconds: number }> = {};
const payloads = Object.fromEntries(
  await Promise.all(QUEUES.map(async (q) => [q, await completedJobs(database, q)])),
);
await resetDerived(database, workspaceId);
for (const queue of QUEUES) {
  const definition = JOBS.find((d) => d.name === queue)!;
  const jobs = payloads[queue]!;
  direct[queue] = { jobs: jobs.length, seconds: await runDirectly(database, definition, jobs) };
}
const problemsDirect = await verify(database, workspaceId, segmentIds);
await database.close();
await admin.query(`drop database if exists ${dbName}`);
await admin.end();

console.log(
  `${batches} batches (orders: ${workload.ordersPerBatch} a batch, every 10th also cancels one; events: ${workload.eventsPerBatch}), ${workload.customers} customers, ${values.concurrency} clients`,
);
console.log(`accepted: ${ingestSeconds.toFixed(1)} s → ${(batches / ingestSeconds).toFixed(0)} batches/s`);
for (const queue of QUEUES) {
  const { jobs, seconds } = direct[queue]!;
  const servedRate = jobs / ((lastAccepted - started) / 1000 + served[queue]!.drain);
  console.log(
    `${queue}: ${jobs} jobs, max depth ${served[queue]!.max}, drained ${served[queue]!.drain.toFixed(1)} s after the last batch ` +
      `(${servedRate.toFixed(0)} jobs/s from first batch to drained); called directly: ${seconds.toFixed(1)} s → ${(jobs / seconds).toFixed(0)} jobs/s`,
  );
}
console.log(`jobs failed for good: ${samples.at(-1)?.failed ?? 0}`);
console.log(`load average at the end of the stream: ${loadDuring.map((l) => l.toFixed(2)).join(' ')}`);
console.log(
  `check after the worker: ${problemsServed.length ? problemsServed.join('; ') : 'points and segments right'}`,
);
console.log(
  `check after the direct run: ${problemsDirect.length ? problemsDirect.join('; ') : 'points and segments right'}`,
);
if (problemsServed.length || problemsDirect.length) process.exitCode = 1;

async function until(condition: () => Promise<unknown>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
