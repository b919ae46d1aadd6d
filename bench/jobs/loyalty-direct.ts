// bench/jobs/loyalty-direct.ts: the loyalty-orders handler alone, for profiling. Writes the order
// batches of bench/jobs' stream straight through upsertOrders (no HTTP, no queue), keeps the
// `orders.changed` payloads they publish as the jobs, then runs the job's batch handler over them
// as the worker would (its batch size and concurrency) and prints jobs/s and the statements sent
// per job, then checks the points. Run it under `node --cpu-prof` to see where the handler's own
// time goes.
//
//   node bench/jobs/loyalty-direct.ts [--batches 2000] [--customers 5000] [--orders-per-batch 10]
//     [--url postgres://postgres@127.0.0.1:5432/postgres] [--keep]
//
// It creates (and afterwards drops, unless --keep) a scratch database `kizuna_bench_loyalty_direct`.
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { openDatabase } from '@kizuna/server/database';
import type { Publish } from '@kizuna/server/internal/jobs/domain-topics';
import type { QueuedJob } from '@kizuna/server/internal/jobs/job-types';
import { LOYALTY_JOBS } from '@kizuna/server/internal/loyalty/jobs';
import { saveRules } from '@kizuna/server/internal/loyalty/rules';
import type { OrderInput } from '@kizuna/server/internal/orders/order-schema';
import { upsertOrders } from '@kizuna/server/internal/orders/upsert-orders';
import { migrate } from '@kizuna/server/migrate';
import { initWorkspace } from '@kizuna/server/workspaces';
import type { KyselyPlugin } from 'kysely';
import pg from 'pg';
import { runDirectly, verify } from './check.ts';
import { batchBody, RULES } from './workload.ts';

const { values } = parseArgs({
  options: {
    batches: { type: 'string', default: '2000' },
    customers: { type: 'string', default: '5000' },
    'orders-per-batch': { type: 'string', default: '10' },
    url: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
    keep: { type: 'boolean', default: false },
  },
});
const workload = {
  customers: Number(values.customers),
  ordersPerBatch: Number(values['orders-per-batch']),
  eventsPerBatch: 0,
};
const dbName = 'kizuna_bench_loyalty_direct';
const admin = new pg.Client({ connectionString: values.url });
await admin.connect();
await admin.query(`drop database if exists ${dbName}`);
await admin.query(`create database ${dbName}`);
const database = await openDatabase({
  kind: 'postgres',
  url: values.url.replace(/\/[^/]*$/, `/${dbName}`),
  poolSize: 4,
});
await migrate(database);
const { workspaceId } = await initWorkspace(database.db, { name: 'bench', ownerEmail: 'bench@example.jp' });
await saveRules(database.db, workspaceId, RULES, 'bench');

// The order batches of the stream (the even batch numbers), each in its own transaction as the
// API writes it; what they publish on orders.changed is the jobs' data.
const jobs: QueuedJob[] = [];
const publish: Publish = async (_tx, topic, data) => {
  if (topic === 'orders.changed') jobs.push({ id: String(jobs.length), data, retryCount: 0 });
};
const now = Date.now();
for (let b = 0; b < Number(values.batches); b += 2) {
  const { orders } = JSON.parse(batchBody(b, workload, now).body) as { orders: OrderInput[] };
  await database.db.transaction().execute((tx) =>
    upsertOrders(
      tx,
      workspaceId,
      orders.map((item, index) => ({ index, item })),
      publish,
    ),
  );
}

// Every statement the handler sends (BEGIN and COMMIT are not compiled queries: counted apart),
// and the time from sending each to its result, by the statement's first words.
let statements = 0;
const started = new Map<unknown, { at: number; what: string }>();
const spent = new Map<string, { n: number; ms: number }>();
const counter: KyselyPlugin = {
  transformQuery: (args) => {
    statements++;
    const node = args.node as { kind: string; sqlFragments?: readonly string[] };
    const what = (node.sqlFragments?.join('?') ?? node.kind).replace(/\s+/g, ' ').trim().slice(0, 90);
    started.set(args.queryId, { at: performance.now(), what });
    return args.node;
  },
  transformResult: async (args) => {
    const s = started.get(args.queryId);
    if (s) {
      started.delete(args.queryId);
      const t = spent.get(s.what) ?? { n: 0, ms: 0 };
      spent.set(s.what, { n: t.n + 1, ms: t.ms + performance.now() - s.at });
    }
    return args.result;
  },
};
const counted = { ...database, db: database.db.withPlugin(counter) } as typeof database;
const definition = LOYALTY_JOBS.find((d) => d.name === 'loyalty-orders')!;
const load = loadavg();
const seconds = await runDirectly(counted, definition, jobs);
const orders = jobs.reduce((n, j) => n + (j.data as { orderIds: number[] }).orderIds.length, 0);
console.log(
  `loyalty-orders called directly: ${jobs.length} jobs (${orders} orders) in ${seconds.toFixed(1)} s → ` +
    `${(jobs.length / seconds).toFixed(0)} jobs/s; ${(statements / jobs.length).toFixed(2)} statements a job ` +
    `(${(statements / orders).toFixed(2)} an order) besides BEGIN/COMMIT`,
);
console.log(
  `load average before / after: ${load.map((l) => l.toFixed(2)).join(' ')} / ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
for (const [what, { n, ms }] of [...spent].sort((a, b) => b[1].ms - a[1].ms).slice(0, 12))
  console.log(`${ms.toFixed(0).padStart(7)} ms ${String(n).padStart(6)}× ${what}`);
spent.clear();
const problems = await verify(database, workspaceId, []);
console.log(`check: ${problems.length ? problems.join('; ') : 'points right'}`);
// A second run over the same jobs: everything is synced already, so this is the retry cost.
statements = 0;
const again = await runDirectly(counted, definition, jobs);
console.log(
  `the same jobs again (all synced): ${again.toFixed(1)} s, ${(statements / jobs.length).toFixed(2)} statements a job`,
);
const still = await verify(database, workspaceId, []);
if (still.length) console.log(`check after the repeat: ${still.join('; ')}`);
await database.close();
if (!values.keep) await admin.query(`drop database if exists ${dbName}`);
await admin.end();
if (problems.length || still.length) process.exitCode = 1;
