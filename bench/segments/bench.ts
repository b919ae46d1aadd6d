// bench/segments: segment evaluation, incremental recompute, CLV refit and analytics reads on
// PostgreSQL, each beside a baseline measured in the same run.
//
//   node bench/segments/bench.ts [--customers 1000000] [--orders 10000000] [--visits 10000000]
//     [--url postgres://postgres@127.0.0.1:5432/postgres] [--keep] [--reuse] [--refit-only]
//     [--incremental-only] [--rounds 3]
//
// It creates (and afterwards drops, unless --keep) the scratch database `kizuna_bench_segments`.
// `--reuse --incremental-only` reruns only the incremental update on the segments a previous run
// left (creating them if there are none).
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import pg from 'pg';
import { refreshAnalytics } from '../../apps/server/src/analytics/analytics-views.ts';
import { updateCustomerStats } from '../../apps/server/src/analytics/customer-stats.ts';
import { refitClv } from '../../apps/server/src/analytics/refit-clv.ts';
import { migrate } from '../../apps/server/src/db/migrate.ts';
import { openDatabase } from '../../apps/server/src/db/open-database.ts';
import { buildApp } from '../../apps/server/src/http/app.ts';
import { compileDefinition, jstClock } from '../../apps/server/src/segments/compile-definition.ts';
import { evaluateSegment } from '../../apps/server/src/segments/evaluate-membership.ts';
import { recomputeForCustomers } from '../../apps/server/src/segments/recompute-membership.ts';
import { createSegment } from '../../apps/server/src/segments/segment-store.ts';
import { TEMPLATES } from '../../apps/server/src/segments/templates.ts';
import { createApiKey } from '../../apps/server/src/workspaces/api-keys.ts';
import { initWorkspace } from '../../apps/server/src/workspaces/workspaces.ts';
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
      await recomputeForCustomers(
        db,
        ws,
        gone.map((r) => Number(r.customer_id)),
        { now },
      );
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
 * The incremental update after 10,000 new orders, `rounds` times with a fresh batch each: the
 * timed work is what the segments-recompute job does once the orders are committed (customer_stats
 * of the touched customers, then every segment's membership, history and outbox, in one
 * transaction). The baseline, in the same run, is the previous path on the same customers: the
 * stats update, then each segment evaluated alone over the fact tables. It must find nothing left
 * to change.
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
  await sql`vacuum analyze customer_stats, segment_member, segment_membership, segment_membership_event, customer_order`.execute(
    db,
  );
  log(`\nincremental update after 10,000 new orders (${segments.length} segments, touched customers only):`);
  for (let round = 1; round <= Number(values.rounds); round++) {
    const { rows: touched } = await sql<{ customer_id: number }>`
      insert into customer_order (workspace_id, external_id, customer_id, status, ordered_at, subtotal, total)
      select ${ws}::uuid, 'N' || ${round} || '-' || g, 1 + floor(${Number(values.customers)} * random())::bigint,
        'completed', ${now}::timestamptz - interval '1 minute', 3000, 3000
      from generate_series(1, 10000) g returning customer_id`.execute(db);
    const ids = [...new Set(touched.map((r) => Number(r.customer_id)))];
    const phases: string[] = [];
    const [change, ms] = await time(() =>
      recomputeForCustomers(db, ws, ids, {
        now,
        onPhase: (phase, t) => phases.push(`${phase} ${Math.round(t)}`),
      }),
    );
    log(
      `  round ${round}: ${ids.length} customers: ${Math.round(ms)} ms (${phases.join(', ')}) entered ${change.entered}, exited ${change.exited}`,
    );
    const [left, baseMs] = await time(async () => {
      await updateCustomerStats(db, ws, ids);
      const total = { entered: 0, exited: 0 };
      for (const { id } of segments) {
        const c = await evaluateSegment(db, ws, Number(id), { customerIds: ids, now });
        total.entered += c.entered;
        total.exited += c.exited;
      }
      return total;
    });
    log(
      `    baseline (stats, then each segment alone over the fact tables): ${Math.round(baseMs)} ms, left to change: entered ${left.entered}, exited ${left.exited}${left.entered + left.exited ? '  MISMATCH' : ''}`,
    );
  }
}
