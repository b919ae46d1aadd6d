// Prints the plans (EXPLAIN ANALYZE, in a rolled-back transaction) of the incremental recompute's
// statements for 10,000 (--count) random customers of the bench database: the customer_stats
// upsert, the all-segments evaluation alone, the current memberships, and the whole
// evaluate-diff-write statement. A diagnostic for bench/segments, not a benchmark.
//
//   node bench/segments/explain-recompute.ts [--db kizuna_bench_segments] [--customers 1000000]
//     [--settings 'set local random_page_cost = 1.1'] [--topic orders.changed] [--with-orders]
//     [--url postgres://postgres@127.0.0.1:5432] [--time] [--count 10000]
//
// With --time, each statement runs plainly instead (3 times, each rolled back to a savepoint) and
// its duration is printed, with the WAL it wrote and its planning time: EXPLAIN ANALYZE's per-row
// timing inflates nested loops several-fold.
// With --topic, only the segments a change on that topic can affect (as the recompute job does).
// With --with-orders, each customer first gets a new completed order (and its stats delta), so the
// plans include the entries and exits that follow (all rolled back).
import { parseArgs } from 'node:util';
import { openDatabase } from '@kizuna/server/database';
import { customerStatsUpsert } from '@kizuna/server/internal/analytics/customer-stats';
import { compileMatches } from '@kizuna/server/internal/segments/compile-definition';
import { currentMemberships, membershipDiff } from '@kizuna/server/internal/segments/recompute-membership';
import type { RuleNode } from '@kizuna/server/internal/segments/rule-tree';
import { affectedBy, definitionInputs } from '@kizuna/server/internal/segments/segment-inputs';
import { sql } from 'kysely';
import pg from 'pg';

const { values } = parseArgs({
  options: {
    db: { type: 'string', default: 'kizuna_bench_segments' },
    customers: { type: 'string', default: '1000000' },
    settings: { type: 'string', default: '' },
    topic: { type: 'string' },
    'with-orders': { type: 'boolean', default: false },
    url: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432' },
    time: { type: 'boolean', default: false },
    // How many random customers (before duplicates are removed).
    count: { type: 'string', default: '10000' },
  },
});
const url = `${values.url}/${values.db}`;
const database = await openDatabase({ kind: 'postgres', url, poolSize: 1 });
const { db } = database;
const ws = (
  await db.selectFrom('workspace').select('id').where('name', '=', 'ベンチ店').executeTakeFirstOrThrow()
).id;
const segments = (
  await db
    .selectFrom('segment')
    .select(['id', 'definition'])
    .where('workspace_id', '=', ws)
    .orderBy('id')
    .execute()
).filter((s) => affectedBy(definitionInputs(s.definition as RuleNode), { topic: values.topic }));
const { rows } = await sql<{
  g: number;
}>`select distinct 1 + floor(${Number(values.customers)} * random())::bigint as g
  from generate_series(1, ${Number(values.count)}) g`.execute(db);
const ids = rows.map((r) => Number(r.g)).sort((a, b) => a - b);
const client = new pg.Client({ connectionString: url });
await client.connect();
async function explain(title: string, statement: { sql: string; parameters: readonly unknown[] }) {
  if (values.time) {
    const ms: number[] = [];
    const wal: number[] = [];
    for (let k = 0; k < 3; k++) {
      await client.query('savepoint timed');
      const before = await client.query('select pg_current_wal_insert_lsn() as lsn');
      const started = performance.now();
      await client.query(statement.sql, [...statement.parameters]);
      ms.push(performance.now() - started);
      const after = await client.query(
        'select pg_wal_lsn_diff(pg_current_wal_insert_lsn(), $1)::float8 as bytes',
        [before.rows[0].lsn],
      );
      wal.push(Number(after.rows[0].bytes));
      await client.query('rollback to savepoint timed');
    }
    // Planning alone, as the server measures it (EXPLAIN without ANALYZE does not run it).
    const plan = await client.query(`explain (summary, format json) ${statement.sql}`, [
      ...statement.parameters,
    ]);
    const planMs = Number(plan.rows[0]['QUERY PLAN'][0]['Planning Time']);
    console.log(
      `${title}: ${ms.map((t) => t.toFixed(1)).join(' / ')} ms; WAL ${wal.map((b) => (b / 1e6).toFixed(2)).join(' / ')} MB; planning ${planMs.toFixed(1)} ms`,
    );
    return;
  }
  const plan = await client.query(`explain (analyze, buffers, wal) ${statement.sql}`, [
    ...statement.parameters,
  ]);
  console.log(`\n${title}`);
  for (const row of plan.rows as Record<string, string>[]) {
    const line = row['QUERY PLAN'] ?? '';
    if (process.env.BUFFERS || !/^\s+Buffers/.test(line))
      console.log(line.replace(/\{[0-9,]{200,}\}/g, '{…ids…}'));
  }
}
try {
  await client.query('begin');
  if (values.settings) await client.query(values.settings);
  console.log(`${ids.length} customers, ${segments.length} segments`);
  if (values['with-orders']) {
    await client.query(
      `insert into customer_order (workspace_id, external_id, customer_id, status, ordered_at, subtotal, total)
       select $1, 'X' || g, g, 'completed', now() - interval '1 minute', 3000, 3000 from unnest($2::bigint[]) g`,
      [ws, ids],
    );
    await client.query(
      `update customer_stats set order_count = order_count + 1, revenue = revenue + 3000,
         first_order_at = least(first_order_at, now() - interval '1 minute'),
         last_order_at = greatest(last_order_at, now() - interval '1 minute')
       where workspace_id = $1 and customer_id = any($2::bigint[])`,
      [ws, ids],
    );
  }
  await explain('customer_stats upsert', customerStatsUpsert(ws, ids).compile(db));
  const matched = compileMatches(
    segments.map((s) => ({ id: s.id, definition: s.definition as RuleNode })),
    { workspaceId: ws, customerIds: ids, fromStats: true },
  ).compile(db);
  await explain('all segments, (segment, customer) pairs', {
    sql: `select count(*) from (${matched.sql}) m`,
    parameters: matched.parameters,
  });
  const current = currentMemberships(
    ws,
    segments.map((s) => s.id),
    ids,
  ).compile(db);
  await explain('current memberships', {
    sql: `select count(*) from (${current.sql}) m`,
    parameters: current.parameters,
  });
  await explain(
    'the whole statement: evaluate, diff, write the members (rolled back; the log is a later step)',
    membershipDiff(
      ws,
      segments.map((s) => ({ id: s.id, definition: s.definition as RuleNode, emits: true })),
      ids,
      new Date(),
    ).compile(db),
  );
} finally {
  await client.query('rollback');
  await client.end();
  await database.close();
}
