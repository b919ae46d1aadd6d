// bench/journeys fixtures: customers, runs and domain events loaded in one statement each
// (generate_series, insert … select), so a million of each takes seconds, not the API's hours.
// Each loads exactly what the engine or the trigger consumer would find in production.
import { loadavg } from 'node:os';
import type { Database } from '@kizuna/server/database';
import { sql } from 'kysely';
import pg from 'pg';

type Db = Database['db'];

/** A range of customer ids, loaded together (identity values: consecutive). */
export interface CustomerRange {
  first: number;
  last: number;
}

export async function loadCustomers(db: Db, ws: string, count: number): Promise<CustomerRange> {
  const { rows } = await sql<{ first: string; last: string }>`
    with c as (insert into customer (workspace_id) select ${ws}::uuid from generate_series(1, ${count}) returning id)
    select min(id) as first, max(id) as last from c`.execute(db);
  return { first: Number(rows[0]!.first), last: Number(rows[0]!.last) };
}

/**
 * Runs of one journey version at `nodeId`, one per customer of `customers`, entered at `enteredAt`
 * and due at `dueAt`: the rows enterRuns would have left (and later engine passes moved on).
 */
export async function loadRuns(
  db: Db,
  ws: string,
  run: {
    journeyId: number;
    version: number;
    nodeId: string;
    stepCount: number;
    enteredAt: Date;
    dueAt: Date;
  },
  customers: CustomerRange,
): Promise<number> {
  const { numAffectedRows } = await sql`
    insert into journey_run (workspace_id, journey_id, version, customer_id, node_id, step_count, due_at, entered_at)
    select ${ws}::uuid, ${run.journeyId}::bigint, ${run.version}::int, c.id, ${run.nodeId}, ${run.stepCount}::int,
      ${run.dueAt}::timestamptz, ${run.enteredAt}::timestamptz
    from customer c where c.workspace_id = ${ws} and c.id between ${customers.first} and ${customers.last}
    order by c.id`.execute(db);
  return Number(numAffectedRows ?? 0);
}

/**
 * One `segment.entered` event per customer of `customers`, as one segment recompute publishes them
 * (one transaction: one xid, consecutive seq).
 */
export async function loadSegmentEntries(
  db: Db,
  ws: string,
  segmentId: number,
  customers: CustomerRange,
  at: Date,
): Promise<number> {
  const { numAffectedRows } = await sql`
    insert into domain_event (workspace_id, customer_id, type, payload, occurred_at)
    select ${ws}::uuid, c.id, 'segment.entered', jsonb_build_object('segmentId', ${segmentId}::int), ${at}::timestamptz
    from customer c where c.workspace_id = ${ws} and c.id between ${customers.first} and ${customers.last}
    order by c.id`.execute(db);
  return Number(numAffectedRows ?? 0);
}

/** VACUUM ANALYZE (outside a transaction, so on its own connection): the state autovacuum reaches. */
export async function vacuum(url: string, tables: readonly string[]): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`vacuum analyze ${tables.join(', ')}`);
  } finally {
    await client.end();
  }
}

/** Milliseconds `run` took, with its result. */
export async function timed<T>(run: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const result = await run();
  return [result, performance.now() - started];
}

/** The load average, 1, 5 and 15 minutes. */
export const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
