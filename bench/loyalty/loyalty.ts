// bench/loyalty: points earn, points redeem and coupon redemption operations/s on PostgreSQL with
// 100k members, beside the baseline: an autocommitted single-row UPDATE (`update … set n = n + 1
// where id = $1` on a 100k-row table) with a pool of the same size and the same number of
// concurrent workers, measured in the same run: before each measurement, so that each is compared
// with a baseline taken under the same load of a shared machine.
//
//   node bench/loyalty/loyalty.ts [--members 100000] [--concurrency 8] [--seconds 5] [--rounds 5]
//     [--coupons 300000] [--before DIR] [--url postgres://postgres@127.0.0.1:5432/test]
//
// The baseline is sent as text, as an application sends it; "single-row UPDATE, prepared" is the
// same UPDATE as a named statement, as the loyalty statements are sent (db/prepared-statements.ts).
// - earn: earnPoints (fresh idempotency key, random member): one statement that locks the member
//   row, checks the key, writes the entry and the new lot.
// - redeem: redeemPoints of 1 point: one statement that also draws from the soonest-expiring lots.
// - coupon: redeemCoupon of a fresh coupon of a random member: one conditional UPDATE and its event.
// - order earn: a completed ¥3,000 order and syncOrderLoyalty on it (earn, order stamp card, tier).
// With --before DIR (a checkout of an earlier commit, with node_modules linked in), earn, redeem
// and coupon are also measured with that commit's code, in the same rounds on the same data,
// alternating which goes first. Everything lives in a fresh schema of the database at --url,
// dropped afterwards.
import { randomBytes } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { openDatabase } from '@kizuna/server/database';
import * as couponsNow from '@kizuna/server/internal/loyalty/coupons';
import { syncOrdersLoyalty } from '@kizuna/server/internal/loyalty/order-points';
import * as ledgerNow from '@kizuna/server/internal/loyalty/points-ledger';
import { createStampCardTemplate } from '@kizuna/server/internal/loyalty/stamp-cards';
import { migrate } from '@kizuna/server/migrate';
import { initWorkspace } from '@kizuna/server/workspaces';
import { sql } from 'kysely';
import pg from 'pg';

const { values } = parseArgs({
  options: {
    members: { type: 'string', default: '100000' },
    concurrency: { type: 'string', default: '8' },
    seconds: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '5' },
    coupons: { type: 'string', default: '300000' },
    before: { type: 'string' },
    url: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/test' },
  },
});
const members = Number(values.members);
const concurrency = Number(values.concurrency);
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
const couponCount = Number(values.coupons);
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

type Ledger = Pick<typeof ledgerNow, 'earnPoints' | 'redeemPoints'>;
type Coupons = Pick<typeof couponsNow, 'redeemCoupon'>;
const versions: { label: string; ledger: Ledger; coupons: Coupons }[] = [
  { label: 'now', ledger: ledgerNow, coupons: couponsNow },
];
if (values.before) {
  const src = resolve(values.before, 'apps/server/src/loyalty');
  versions.push({
    label: 'before',
    ledger: (await import(join(src, 'points-ledger.ts'))) as Ledger,
    coupons: (await import(join(src, 'coupons.ts'))) as Coupons,
  });
}

const schema = `bench_loyalty_${randomBytes(4).toString('hex')}`;
const admin = new pg.Client({ connectionString: values.url });
await admin.connect();
await admin.query(`create schema ${schema}`);
const database = await openDatabase({ kind: 'postgres', url: values.url, schema, poolSize: concurrency });
const pool = new pg.Pool({
  connectionString: values.url,
  max: concurrency,
  options: `-c search_path=${schema}`,
});
const loadAtStart = load();
try {
  await run();
} finally {
  await pool.end();
  await database.close();
  await admin.query(`drop schema ${schema} cascade`);
  await admin.end();
}

async function run() {
  await migrate(database);
  const db = database.db;
  const { workspaceId } = await initWorkspace(db, { name: 'bench', ownerEmail: 'bench@example.jp' });
  const setupStarted = performance.now();
  const customerIds = await seed(workspaceId);
  console.log(
    `setup: ${members.toLocaleString('en')} members, ${couponCount.toLocaleString('en')} coupons in ${((performance.now() - setupStarted) / 1000).toFixed(1)} s`,
  );
  const pick = () => customerIds[Math.floor(Math.random() * customerIds.length)]!;
  let seq = 0;
  let nextCoupon = 0;
  const couponCode = () => {
    const i = ++nextCoupon;
    if (i > couponCount) throw new Error(`out of coupons: run with --coupons above ${couponCount}`);
    return codeOf(i);
  };

  const ops: [string, () => Promise<unknown>][] = [
    [
      'single-row UPDATE (baseline)',
      () => pool.query('update bench_counter set n = n + 1 where id = $1', [pick()]),
    ],
    // For reference: the same UPDATE as a named statement, as the loyalty statements are sent.
    [
      'single-row UPDATE, prepared',
      () =>
        pool.query({
          name: 'bench_update',
          text: 'update bench_counter set n = n + 1 where id = $1',
          values: [pick()],
        }),
    ],
  ];
  // Each round measures `now` and `before` back to back; rounds alternate which goes first.
  const pairs = (order: typeof versions) =>
    (['earn', 'redeem', 'coupon'] as const).flatMap((what) =>
      order.map(({ label, ledger, coupons }): [string, () => Promise<unknown>] => [
        `${what} (${label})`,
        what === 'earn'
          ? () =>
              ledger.earnPoints(db, workspaceId, {
                customerId: pick(),
                points: 10,
                actor: 'bench',
                idempotencyKey: `e-${seq++}`,
                validityMonths: 12,
              })
          : what === 'redeem'
            ? () =>
                ledger.redeemPoints(db, workspaceId, {
                  customerId: pick(),
                  points: 1,
                  actor: 'bench',
                  idempotencyKey: `r-${seq++}`,
                })
            : () =>
                coupons.redeemCoupon(db, workspaceId, {
                  code: couponCode(),
                  actor: 'bench',
                  orderTotal: 3000,
                }),
      ]),
    );
  const orderEarn: [string, () => Promise<unknown>] = [
    'order earn (syncOrderLoyalty)',
    async () => {
      const { rows } = await sql<{ id: number }>`
        insert into customer_order (workspace_id, external_id, customer_id, status, ordered_at, subtotal, total)
        values (${workspaceId}, ${`o-${seq++}`}, ${pick()}, 'completed', now(), 3000, 3000) returning id`.execute(
        db,
      );
      await syncOrdersLoyalty(db, workspaceId, [rows[0]!.id], { actor: 'bench' });
    },
  ];

  // The machine is shared, so its load moves within a round: every measurement is paired with a
  // baseline measured just before it, and compared with that one.
  const [baselineOp, ...others] = ops;
  const results = new Map<string, { rate: number; baseline: number }[]>();
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 ? [...versions].reverse() : versions;
    for (const [name, op] of [...others, ...pairs(order), orderEarn]) {
      const baseline = await measure(baselineOp![1]);
      const rate = await measure(op);
      results.set(name, [...(results.get(name) ?? []), { rate, baseline }]);
    }
  }
  const bad = await inconsistencies(workspaceId);
  report(results, bad, loadAtStart, load());
}

/** 100k members with a 1,000-point opening lot each (entry, lot and balance consistent), coupons, the baseline table. */
async function seed(workspaceId: string): Promise<number[]> {
  const db = database.db;
  await sql`insert into customer (workspace_id, family_name, given_name, registered_at)
    select ${workspaceId}::uuid, '会員', i::text, now() - interval '400 days' from generate_series(1, ${members}) i`.execute(
    db,
  );
  await sql`insert into loyalty_member (workspace_id, customer_id, member_no, balance)
    select workspace_id, id, lpad(id::text, 12, '0'), 1000 from customer where workspace_id = ${workspaceId}`.execute(
    db,
  );
  await sql`insert into point_entry (workspace_id, customer_id, kind, points, balance_after, reason, actor)
    select workspace_id, customer_id, 'adjust', 1000, 1000, 'opening balance', 'bench' from loyalty_member
    where workspace_id = ${workspaceId}`.execute(db);
  await sql`insert into point_lot (workspace_id, customer_id, entry_id, earned, remaining, earned_at, expires_at)
    select workspace_id, customer_id, id, 1000, 1000, now(), now() + interval '12 months' from point_entry
    where workspace_id = ${workspaceId}`.execute(db);
  const template = await couponsNow.createCouponTemplate(db, workspaceId, {
    name: '100円引き',
    kind: 'amount_off',
    value: 100,
  });
  // Coupon i has the code codeOf(i) and belongs to a member chosen by i.
  await sql`insert into coupon (workspace_id, template_id, customer_id, code, valid_from, source)
    with c as (select id, row_number() over (order by id) - 1 as k from customer where workspace_id = ${workspaceId})
    select ${workspaceId}::uuid, ${template.id}::bigint, c.id, ${sql.raw(codeSql('i'))}, now() - interval '1 day', 'bench'
    from generate_series(1, ${couponCount}) i join c on c.k = i % ${members}`.execute(db);
  await createStampCardTemplate(db, workspaceId, { name: 'bench', stampsRequired: 10, stampPer: 'order' });
  await sql`create table bench_counter (id integer primary key, n bigint not null default 0)`.execute(db);
  await sql`insert into bench_counter (id) select generate_series(1, ${members})`.execute(db);
  await sql`analyze`.execute(db);
  const { rows } = await sql<{
    id: number;
  }>`select id from customer where workspace_id = ${workspaceId} order by id`.execute(db);
  return rows.map((r) => r.id);
}

/** `B000-0000-0042` for coupon 42: the canonical form redeemCoupon looks up. */
function codeOf(i: number): string {
  const raw = `B${String(i).padStart(11, '0')}`;
  return `${raw.slice(0, 4)}-${raw.slice(4, 8)}-${raw.slice(8)}`;
}

function codeSql(i: string): string {
  const raw = `('B' || lpad(${i}::text, 11, '0'))`;
  return `substr(${raw}, 1, 4) || '-' || substr(${raw}, 5, 4) || '-' || substr(${raw}, 9, 4)`;
}

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

/** Members whose balance differs from their lots or their ledger, and coupons redeemed without exactly one event. */
async function inconsistencies(workspaceId: string) {
  const db = database.db;
  const { rows: members } = await sql<{ n: number }>`select count(*)::int as n from loyalty_member m
    left join (select customer_id, sum(remaining) as lots from point_lot where workspace_id = ${workspaceId} group by customer_id) l
      on l.customer_id = m.customer_id
    left join (select customer_id, sum(points) as ledger from point_entry where workspace_id = ${workspaceId} group by customer_id) e
      on e.customer_id = m.customer_id
    where m.workspace_id = ${workspaceId} and (m.balance <> coalesce(l.lots, 0) or m.balance <> coalesce(e.ledger, 0))`.execute(
    db,
  );
  const { rows: coupons } = await sql<{ n: number }>`select count(*)::int as n from coupon c
    where c.workspace_id = ${workspaceId} and (c.status = 'redeemed') <> (select count(*) = 1 from coupon_event e
      where e.workspace_id = c.workspace_id and e.coupon_id = c.id and e.kind = 'redeemed')`.execute(db);
  return { members: members[0]!.n, coupons: coupons[0]!.n };
}

function report(
  results: Map<string, { rate: number; baseline: number }[]>,
  bad: { members: number; coupons: number },
  loadBefore: string,
  loadAfter: string,
) {
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const baselines = [...results.values()].flat().map((m) => m.baseline);
  console.log(
    `${members.toLocaleString('en')} members, pool ${concurrency} and ${concurrency} concurrent workers, ${seconds} s per measurement, ${rounds} rounds, ${cpus().length} CPUs, load average ${loadBefore} → ${loadAfter}`,
  );
  console.log(
    `single-row UPDATE (baseline), measured before each of the others: median ${Math.round(median(baselines)).toLocaleString('en')} ops/s (${Math.round(Math.min(...baselines)).toLocaleString('en')}–${Math.round(Math.max(...baselines)).toLocaleString('en')})`,
  );
  console.log(
    `${''.padEnd(30)} ${'ops/s in each round'.padEnd(28)}   median ops/s   median ratio to its baseline`,
  );
  for (const [name, measured] of results) {
    const rates = measured.map((m) => m.rate);
    const each = rates.map((r) => Math.round(r).toLocaleString('en')).join(' / ');
    const ratio = median(measured.map((m) => m.rate / m.baseline));
    console.log(
      `${name.padEnd(30)} ${each.padEnd(28)} → ${Math.round(median(rates)).toLocaleString('en').padStart(7)}        ${(ratio * 100).toFixed(0).padStart(4)}%`,
    );
  }
  console.log(`members whose balance ≠ sum of lots or of ledger entries after the run: ${bad.members}`);
  console.log(`coupons whose status disagrees with their redemption events: ${bad.coupons}`);
}
