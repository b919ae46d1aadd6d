// bench/segments: segment evaluation, incremental recompute, CLV refit and analytics reads on
// PostgreSQL, each beside a baseline measured in the same run.
//
//   node bench/segments/bench.ts [--customers 1000000] [--orders 10000000] [--visits 10000000]
//     [--url postgres://postgres@127.0.0.1:5432/postgres] [--keep] [--reuse] [--refit-only]
//     [--incremental-only] [--rounds 3] [--parallel 2]
//
// It creates (and afterwards drops, unless --keep) the scratch database `kizuna_bench_segments`.
// `--reuse --incremental-only` reruns only the incremental update on the segments a previous run
// left (creating them if there are none).
import { parseArgs } from 'node:util';
import { buildApp } from '@kizuna/server/app';
import { openDatabase } from '@kizuna/server/database';
import { refreshAnalytics } from '@kizuna/server/internal/analytics/analytics-views';
import { applyStatsDeltas, updateCustomerStats } from '@kizuna/server/internal/analytics/customer-stats';
import { refitClv } from '@kizuna/server/internal/analytics/refit-clv';
import { upsertOrders } from '@kizuna/server/internal/orders/upsert-orders';
import { compileDefinition, jstClock } from '@kizuna/server/internal/segments/compile-definition';
import { recomputeForCustomers } from '@kizuna/server/internal/segments/recompute-membership';
import { RECOMPUTE_PARALLEL } from '@kizuna/server/internal/segments/segment-jobs';
import { createSegment } from '@kizuna/server/internal/segments/segment-store';
import { TEMPLATES } from '@kizuna/server/internal/segments/templates';
import { createApiKey } from '@kizuna/server/internal/workspaces/api-keys';
import { migrate } from '@kizuna/server/migrate';
import { transact } from '@kizuna/server/transact';
import { initWorkspace } from '@kizuna/server/workspaces';
import { sql } from 'kysely';
import pg from 'pg';
import { generateBrand } from './generate.ts';
import { handWritten } from './hand-written.ts';

const { values } = parseArgs({
  options: {
    customers: { type: 'string', default: '1000000' },
    orders: { type: 'string', default: '10000000' },
    visits: { type: 'string', default: '10000000' },
    url: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
    db: { type: 'string', default: 'kizuna_bench_segments' },
    keep: { type: 'boolean', default: false },
    // Use the data a previous `--keep` run left in the scratch database (skips generation).
    reuse: { type: 'boolean', default: false },
    // Only customers and orders, and only the CLV refit (at full scale on a busy machine).
    'refit-only': { type: 'boolean', default: false },
    // With --reuse: only the incremental update (no refit, no count comparison, no analytics).
    'incremental-only': { type: 'boolean', default: false },
    rounds: { type: 'string', default: '3' },
    // How many transactions the recompute may run side by side (default: what the job uses).
    parallel: { type: 'string', default: String(RECOMPUTE_PARALLEL) },
  },
});
const dbName = values.db;
const log = (m: string) => console.log(m);
const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function time<T>(run: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const result = await run();
  return [result, performance.now() - started];
}

const admin = new pg.Client({ connectionString: values.url });
await admin.connect();
if (!values.reuse) {
  await admin.query(`drop database if exists ${dbName}`);
  await admin.query(`create database ${dbName}`);
}
const database = await openDatabase({
  kind: 'postgres',
  url: values.url.replace(/\/[^/]*$/, `/${dbName}`),
  poolSize: 4,
});
try {
  const { db } = database;
  const now = new Date();
  let ws: string;
  let apiKey: string;
  if (values.reuse) {
    const row = await db
      .selectFrom('workspace')
      .select('id')
      .where('name', '=', 'ベンチ店')
      .executeTakeFirstOrThrow();
    ws = row.id;
    apiKey = (await createApiKey(db, { workspaceId: ws, name: 'bench', scopes: ['read'] })).token;
    const { rows: gone } = await sql<{ customer_id: number }>`delete from customer_order
      where workspace_id = ${ws} and external_id like 'N%' returning customer_id`.execute(db);
    if (values['incremental-only']) {
      // Keep the segments; put the customers of the removed bench orders back as they were.
      const ids = [...new Set(gone.map((r) => Number(r.customer_id)))];
      await applyStatsDeltas(db, ws, [], ids);
      await recomputeForCustomers(db, ws, ids, { now });
    } else await sql`delete from segment where workspace_id = ${ws}`.execute(db);
    log(`reusing ${dbName}`);
  } else {
    await migrate(database);
    const workspace = await initWorkspace(db, { name: 'ベンチ店', ownerEmail: 'bench@example.jp' });
    ws = workspace.workspaceId;
    apiKey = workspace.apiKey;
    log(`generating ${values.customers} customers, ${values.orders} orders, ${values.visits} visits`);
    await generateBrand(database, ws, {
      customers: Number(values.customers),
      orders: Number(values.orders),
      visits: values['refit-only'] ? 0 : Number(values.visits),
      now,
      log,
    });
  }

  if (values['incremental-only']) {
    await incremental(db, ws, now);
  } else {
    log('\nCLV refit, end to end (SQL summary, holdout check, fit, predictions stored):');
    const [refit, refitMs] = await time(() =>
      refitClv(db, ws, now, { onPhase: (phase, ms) => log(`    ${phase}: ${ms}`) }),
    );
    log(
      `  ${secs(refitMs)} for ${refit.customers} buyers, model ${refit.model}${refit.fallbackReason ? ` (${refit.fallbackReason})` : ''}`,
    );
    log(`  parts (ms): ${JSON.stringify(refit.timings)}`);
    log(`  holdout: ${JSON.stringify({ ratio: (refit.quality as { ratio: number }).ratio })}`);
    await sql`analyze clv_prediction`.execute(db);

    if (!values['refit-only']) {
      log(
        '\nfirst full evaluation per template (compiled count | hand-written count | ratio | full evaluation with materialisation):',
      );
      const clock = jstClock(now);
      const segmentIds: number[] = [];
      for (const template of TEMPLATES) {
        const compiled = compileDefinition(template.definition, { workspaceId: ws, now });
        // Alternate the two so that neither gains from a warmer cache; best of 2 each.
        const ours: number[] = [];
        const theirs: number[] = [];
        let counts: [number, number] = [0, 0];
        for (let round = 0; round < 2; round++) {
          const [a, ta] = await time(() =>
            sql<{ n: number }>`select count(*)::int as n from (${compiled}) m`.execute(db),
          );
          const [b, tb] = await time(() => handWritten(template.key, ws, clock).execute(db));
          ours.push(ta);
          theirs.push(tb);
          counts = [Number(a.rows[0]?.n), Number((b.rows[0] as { n: number }).n)];
        }
        const [segment, evalMs] = await time(() =>
          createSegment(db, ws, { name: template.name.en, definition: template.definition }, { now }),
        );
        segmentIds.push(segment.id);
        const best = (xs: number[]) => Math.min(...xs);
        log(
          `  ${template.key.padEnd(26)} ${secs(best(ours))} | ${secs(best(theirs))} | ${(best(ours) / best(theirs)).toFixed(2)}x | ${secs(evalMs)}  members ${segment.memberCount}${counts[0] === counts[1] ? '' : ` COUNT MISMATCH ${counts[0]} vs ${counts[1]}`}`,
        );
      }

      const first = segmentIds[0] ?? 0;

      log('\nanalytics refresh (customer_stats rebuild, RFM scores, stored views):');
      const [timings, refreshMs] = await time(() => refreshAnalytics(db, ws));
      log(`  ${secs(refreshMs)} ${JSON.stringify(timings)}`);

      log('\nanalytics endpoints, 40 requests each after 3 warm-ups (p50 / p95 ms):');
      const app = await buildApp({ database, logger: false });
      const auth = { authorization: `Bearer ${apiKey}` };
      for (const url of [
        '/v1/analytics/ltv?by=cohort',
        '/v1/analytics/ltv?by=source',
        '/v1/analytics/ltv?by=segment',
        '/v1/analytics/retention',
        '/v1/analytics/rfm',
        '/v1/analytics/forecast',
        '/v1/analytics/ltv/customers?limit=100&cursor=500000',
        `/v1/segments/${first}/members?limit=100`,
      ]) {
        const samples: number[] = [];
        for (let i = 0; i < 43; i++) {
          const [res, ms] = await time(() => app.inject({ method: 'GET', url, headers: auth }));
          if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body.slice(0, 200)}`);
          if (i >= 3) samples.push(ms);
        }
        samples.sort((a, b) => a - b);
        const q = (p: number) => samples[Math.min(samples.length - 1, Math.floor(p * samples.length))]!;
        log(`  ${url.padEnd(52)} ${q(0.5).toFixed(1)} / ${q(0.95).toFixed(1)}`);
      }
      await app.close();
      // Last, on the steady state the refresh left (customer_stats for every customer).
      await incremental(db, ws, now);
    }
  }
} finally {
  await database.close();
  if (!values.keep) await admin.query(`drop database if exists ${dbName}`);
  await admin.end();
}

/**
 * The incremental update after 10,000 new orders, `rounds` times with a fresh batch each.
 * 1. The orders are ingested as POST /v1/orders does: upsertOrders, 10 batches of 1,000, each in
 *    its own transaction, which also keeps customer_stats (the deltas). Timed apart, with the
 *    deltas' own share measured on one batch in a rolled-back transaction.
 * 2. Timed: what the segments-recompute job does with the batches' orders.changed publications,
 *    for all 10,000 orders' customers at once: the segments that read orders, for those customers,
 *    evaluated, diffed and written, in `--parallel` parts side by side (each one transaction), as
 *    the job does on PostgreSQL. A warm-up recompute first (not counted) serves the connections.
 * 3. The baseline, in the same run, on the same customers: the path before write-time stats (the
 *    touched customers' stats recomputed from the order and visit tables, then every segment, in
 *    one transaction).
 *    It must find nothing left to change, which also checks that the segments step 2 skipped
 *    could not have moved.
 */
async function incremental(db: Parameters<typeof recomputeForCustomers>[0], ws: string, now: Date) {
  const { rows: segments } = await sql<{ id: number }>`select id from segment
    where workspace_id = ${ws} order by id`.execute(db);
  if (segments.length < TEMPLATES.length) {
    await sql`delete from segment where workspace_id = ${ws}`.execute(db);
    for (const template of TEMPLATES)
      await createSegment(db, ws, { name: template.name.en, definition: template.definition }, { now });
    return incremental(db, ws, now);
  }
  // Steady state, as a running Kizuna has it: customer_stats held for every customer (the hourly
  // rebuild), and vacuumed, analyzed tables (autovacuum) after the segments were created.
  const { rows: held } = await sql<{ stats: number; customers: number }>`select
      (select count(*) from customer_stats where workspace_id = ${ws})::int as stats,
      (select count(*) from customer where workspace_id = ${ws} and merged_into_id is null)::int as customers`.execute(
    db,
  );
  if ((held[0]?.stats ?? 0) < (held[0]?.customers ?? 0)) await updateCustomerStats(db, ws);
  await sql`vacuum analyze customer_stats, segment_member, segment_membership_event, customer_order, order_history`.execute(
    db,
  );
  const customers = Number(values.customers);
  const newOrders = (round: number, batch: number) =>
    Array.from({ length: 1000 }, (_, k) => ({
      index: k,
      item: {
        id: `N${round}-${batch}-${k}`,
        customer: { id: 1 + Math.floor(customers * Math.random()) },
        orderedAt: new Date(now.getTime() - 60_000).toISOString(),
        total: 3000,
        source: 'pos',
      },
    }));
  const deltaMs: number[] = [];
  for (let k = 0; k < 5; k++) {
    const batch = newOrders(0, k);
    const rollback = new Error('rollback');
    await db
      .transaction()
      .execute(async (tx) => {
        const started = performance.now();
        await applyStatsDeltas(
          tx,
          ws,
          batch.map((o) => ({ customerId: o.item.customer.id, orders: 1, revenue: 3000, orderedAt: now })),
        );
        deltaMs.push(performance.now() - started);
        throw rollback;
      })
      .catch((error) => {
        if (error !== rollback) throw error;
      });
  }
  log(
    `\nincremental update after 10,000 new orders (${segments.length} segments, up to ${values.parallel} transactions side by side; customer_stats deltas at ingest: ${Math.round(median(deltaMs))} ms per 1,000-order batch, median of 5, rolled back):`,
  );
  {
    // A running worker's connections have served recomputes before: the pool's connections here
    // serve one first too (3,000 new orders, recomputed in parts; not counted).
    const warm: number[] = [];
    const collect = async (_tx: unknown, _topic: string, data: object) => {
      warm.push(...(data as { customerIds: number[] }).customerIds);
    };
    for (let batch = 0; batch < 3; batch++)
      await transact(db, (tx) => upsertOrders(tx, ws, newOrders(0, batch), collect));
    const [, warmMs] = await time(() =>
      recomputeForCustomers(db, ws, warm, {
        now,
        change: { topic: 'orders.changed' },
        parallel: Number(values.parallel),
      }),
    );
    log(`  warm-up (3,000 new orders, not counted): ${Math.round(warmMs)} ms`);
  }
  for (let round = 1; round <= Number(values.rounds); round++) {
    const published: { topic: string; customerIds: number[] }[] = [];
    const publish = async (_tx: unknown, topic: string, data: object) => {
      published.push({ topic, customerIds: (data as { customerIds: number[] }).customerIds });
    };
    const [, ingestMs] = await time(async () => {
      for (let batch = 0; batch < 10; batch++)
        await transact(db, (tx) => upsertOrders(tx, ws, newOrders(round, batch), publish));
    });
    const topics = new Set(published.map((p) => p.topic));
    const ids = [...new Set(published.flatMap((p) => p.customerIds))];
    const phases: string[] = [];
    const [change, ms] = await time(() =>
      recomputeForCustomers(db, ws, ids, {
        now,
        change: { topic: 'orders.changed' },
        parallel: Number(values.parallel),
        onPhase: (phase, t) => phases.push(`${phase} ${Math.round(t)}`),
      }),
    );
    log(
      `  round ${round}: ingest ${Math.round(ingestMs)} ms (${[...topics].join(', ')}); update for ${ids.length} customers: ${Math.round(ms)} ms (${phases.join(', ')}) entered ${change.entered}, exited ${change.exited}`,
    );
    const [left, baseMs] = await time(async () => {
      await updateCustomerStats(db, ws, ids);
      return recomputeForCustomers(db, ws, ids, { now });
    });
    log(
      `    baseline (stats from the fact tables, then all ${segments.length} segments): ${Math.round(baseMs)} ms, left to change: entered ${left.entered}, exited ${left.exited}${left.entered + left.exited ? '  MISMATCH' : ''}`,
    );
  }
}

function median(xs: number[]) {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}
