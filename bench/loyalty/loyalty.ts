// bench/loyalty: points earn and redeem operations/s on PostgreSQL with 100k members, beside raw
// single-row UPDATE throughput (autocommit `update … set n = n + 1 where id = $1` on a 100k-row
// table) with the same pool and the same number of concurrent workers, measured in the same run,
// in alternating rounds.
//
//   node bench/loyalty/loyalty.ts [--members 100000] [--concurrency 8] [--seconds 10] [--rounds 3]
//                                 [--url postgres://postgres@127.0.0.1:5432/postgres]
//
// Each earn is earnPoints (member row lock, ledger entry, balance update, new lot) with a fresh
// idempotency key; each redeem is redeemPoints (lock, lazy expiry check, oldest-lot selection,
// lot update, ledger entry, allocation rows). Also "order earn": syncOrderLoyalty for a new
// order (earn + order stamp card + tier re-evaluation over the member's 12-month spend).
// It creates (and afterwards drops) a scratch database `kizuna_bench_loyalty` on that server.
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import pg from 'pg';
import { migrate } from '../../apps/server/src/db/migrate.ts';
import { openDatabase } from '../../apps/server/src/db/open-database.ts';
import { syncOrdersLoyalty } from '../../apps/server/src/loyalty/order-points.ts';
import { earnPoints, redeemPoints } from '../../apps/server/src/loyalty/points-ledger.ts';
import { createStampCardTemplate } from '../../apps/server/src/loyalty/stamp-cards.ts';
import { initWorkspace } from '../../apps/server/src/workspaces/workspaces.ts';

const { values } = parseArgs({
  options: {
    members: { type: 'string', default: '100000' },
    concurrency: { type: 'string', default: '8' },
    seconds: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '3' },
    url: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
  },
});
const members = Number(values.members);
const concurrency = Number(values.concurrency);
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
const dbName = 'kizuna_bench_loyalty';

const admin = new pg.Client({ connectionString: values.url });
await admin.connect();
await admin.query(`drop database if exists ${dbName}`);
await admin.query(`create database ${dbName}`);
const benchUrl = values.url.replace(/\/[^/]*$/, `/${dbName}`);
const database = await openDatabase({ kind: 'postgres', url: benchUrl, poolSize: concurrency });
await migrate(database);
const { workspaceId } = await initWorkspace(database.db, { name: 'bench', ownerEmail: 'bench@example.jp' });
const db = database.db;

// 100k members, each with a 1,000-point opening lot (entry, lot and balance consistent).
const setupStarted = performance.now();
await sql`insert into customer (workspace_id, family_name, given_name, registered_at)
  select ${workspaceId}::uuid, '会員', i::text, now() - interval '400 days' from generate_series(1, ${members}) i`.execute(
  db,
);
await sql`insert into loyalty_member (workspace_id, customer_id, member_no, balance)
  select workspace_id, id, lpad(id::text, 12, '0'), 1000 from customer where workspace_id = ${workspaceId}`.execute(
  db,
);
await sql`insert into point_entry (workspace_id, customer_id, kind, points, balance_after, reason, actor)
  select workspace_id, customer_id, 'adjust', 1000, 1000, 'opening balance', 'bench' from loyalty_member where workspace_id = ${workspaceId}`.execute(
  db,
);
await sql`insert into point_lot (workspace_id, customer_id, entry_id, earned, remaining, earned_at, expires_at)
  select workspace_id, customer_id, id, 1000, 1000, now(), now() + interval '12 months' from point_entry where workspace_id = ${workspaceId}`.execute(
  db,
);
await createStampCardTemplate(db, workspaceId, { name: 'bench', stampsRequired: 10, stampPer: 'order' });
await sql`create table bench_counter (id integer primary key, n bigint not null default 0)`.execute(db);
await sql`insert into bench_counter (id) select generate_series(1, ${members})`.execute(db);
await sql`analyze`.execute(db);
const customerIds = (
  await sql<{ id: number }>`select id from customer where workspace_id = ${workspaceId} order by id`.execute(
    db,
  )
).rows.map((r) => r.id);
console.log(
  `setup: ${members.toLocaleString('en')} members in ${((performance.now() - setupStarted) / 1000).toFixed(1)} s`,
);

const pick = () => customerIds[Math.floor(Math.random() * customerIds.length)]!;
let seq = 0;

/** Runs `op` on `concurrency` workers for `seconds`; returns operations/s. */
async function measure(op: () => Promise<unknown>): Promise<number> {
  const stopAt = performance.now() + seconds * 1000;
  let done = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < stopAt) {
        await op();
        done++;
      }
    }),
  );
  return done / ((performance.now() - started) / 1000);
}

const pool = new pg.Pool({ connectionString: benchUrl, max: concurrency });
const ops: Record<string, () => Promise<unknown>> = {
  'raw UPDATE (baseline)': () => pool.query('update bench_counter set n = n + 1 where id = $1', [pick()]),
  'earn (earnPoints)': () =>
    earnPoints(db, workspaceId, {
      customerId: pick(),
      points: 10,
      actor: 'bench',
      idempotencyKey: `e-${seq++}`,
      validityMonths: 12,
    }),
  'redeem (redeemPoints)': () =>
    redeemPoints(db, workspaceId, {
      customerId: pick(),
      points: 1,
      actor: 'bench',
      idempotencyKey: `r-${seq++}`,
    }),
  'order earn (syncOrderLoyalty)': async () => {
    const n = seq++;
    const { rows } = await sql<{
      id: number;
    }>`insert into customer_order (workspace_id, external_id, customer_id, status, ordered_at, subtotal, total)
      values (${workspaceId}, ${`o-${n}`}, ${pick()}, 'completed', now(), 3000, 3000) returning id`.execute(
      db,
    );
    await syncOrdersLoyalty(db, workspaceId, [rows[0]!.id], { actor: 'bench' });
  },
};
const results: Record<string, number[]> = Object.fromEntries(Object.keys(ops).map((k) => [k, []]));
for (let round = 0; round < rounds; round++)
  for (const [name, op] of Object.entries(ops)) results[name]!.push(await measure(op));

// The invariants still hold after the run.
const { rows: bad } = await sql<{ n: number }>`select count(*)::int as n from loyalty_member m
  left join (select customer_id, sum(remaining) as lots from point_lot where workspace_id = ${workspaceId} group by customer_id) l
    on l.customer_id = m.customer_id
  left join (select customer_id, sum(points) as ledger from point_entry where workspace_id = ${workspaceId} group by customer_id) e
    on e.customer_id = m.customer_id
  where m.workspace_id = ${workspaceId} and (m.balance <> coalesce(l.lots, 0) or m.balance <> coalesce(e.ledger, 0))`.execute(
  db,
);
const cpus = (await import('node:os')).cpus().length;
await pool.end();
await database.close();
await admin.query(`drop database if exists ${dbName}`);
await admin.end();

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const baseline = median(results['raw UPDATE (baseline)']!);
console.log(
  `${members.toLocaleString('en')} members, ${concurrency} concurrent workers, ${seconds} s per measurement, ${rounds} rounds (median), ${cpus} CPUs`,
);
for (const [name, rates] of Object.entries(results)) {
  const m = median(rates);
  console.log(
    `${name.padEnd(30)} ${rates
      .map((r) => Math.round(r).toLocaleString('en'))
      .join(' / ')
      .padEnd(
        28,
      )} → ${Math.round(m).toLocaleString('en').padStart(7)} ops/s  (${((m / baseline) * 100).toFixed(0)}% of raw UPDATE)`,
  );
}
console.log(`members whose balance ≠ sum of lots or of ledger entries after the run: ${bad[0]!.n}`);
