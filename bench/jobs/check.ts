// bench/jobs: is the work right (points and segment membership), and how fast do the same jobs'
// handlers run when called directly, with no queue between them and the database.
import { randomBytes } from 'node:crypto';
import type { Database } from '@kizuna/server/database';
import type { JobDefinition, QueuedJob } from '@kizuna/server/internal/jobs/job-types';
import { evaluateSegment } from '@kizuna/server/internal/segments/evaluate-membership';
import { createSecretBox } from '@kizuna/server/internal/shared/secret-box';
import { sql } from 'kysely';
import pino from 'pino';

/**
 * Points: each completed order earned floor(total / 100) once, a cancelled one nets 0, and each
 * member's balance is the sum over its orders, computed here from the orders alone. Segments: a
 * full evaluation of each segment finds nothing to change. Returns the problems found.
 */
export async function verify(database: Database, workspaceId: string, segmentIds: number[]) {
  const problems: string[] = [];
  const { rows: orders } = await sql<{ wrong: number; orders: number }>`
    select count(*) filter (where coalesce(e.net, 0) <> case when o.status = 'completed' then floor(o.total / 100) else 0 end
        or (o.status = 'completed' and coalesce(e.earns, 0) <> 1))::int as wrong, count(*)::int as orders
    from customer_order o left join lateral (select sum(order_points) as net, count(*) filter (where kind = 'earn') as earns
      from point_entry p where p.workspace_id = o.workspace_id and p.order_id = o.id) e on true
    where o.workspace_id = ${workspaceId}`.execute(database.db);
  if (orders[0]!.wrong > 0)
    problems.push(`${orders[0]!.wrong} of ${orders[0]!.orders} orders credited wrongly`);
  const { rows: balances } = await sql<{ wrong: number; members: number }>`
    with expected as (select customer_id, sum(floor(total / 100)) as points from customer_order
      where workspace_id = ${workspaceId} and status = 'completed' group by customer_id)
    select count(*) filter (where m.balance is distinct from x.points)::int as wrong, count(*)::int as members
    from expected x left join loyalty_member m on m.workspace_id = ${workspaceId} and m.customer_id = x.customer_id
    where x.points > 0`.execute(database.db);
  if (balances[0]!.wrong > 0)
    problems.push(
      `${balances[0]!.wrong} of ${balances[0]!.members} member balances differ from their orders`,
    );
  for (const id of segmentIds) {
    const change = await evaluateSegment(database.db, workspaceId, id);
    if (change.entered + change.exited > 0)
      problems.push(`segment ${id}: a full recompute entered ${change.entered} and exited ${change.exited}`);
  }
  return problems;
}

/** The queues' completed jobs, oldest first: what the worker ran during the stream. */
export async function completedJobs(database: Database, queue: string): Promise<QueuedJob[]> {
  const { rows } = await sql<{ id: string; data: unknown }>`select id::text, data
    from ${sql.table(`${database.bossOptions.schema ?? 'pgboss'}.job`)}
    where name = ${queue} and state = 'completed' order by created_on, id`.execute(database.db);
  return rows.map((r) => ({ id: r.id, data: r.data, retryCount: 0 }));
}

/**
 * Removes what the loyalty and segment jobs wrote for the workspace (ledger, members, tier
 * changes and their events; segment members, spells and entry/exit events), so that the direct
 * run below starts from the state the worker started from.
 */
export async function resetDerived(database: Database, workspaceId: string) {
  for (const table of [
    'point_allocation',
    'point_lot',
    'point_entry',
    'tier_change',
    'loyalty_member',
    'segment_member',
    'segment_membership_event',
  ])
    await sql`delete from ${sql.table(table)} where workspace_id = ${workspaceId}`.execute(database.db);
  await sql`delete from event where workspace_id = ${workspaceId} and type like 'custom:loyalty.%'`.execute(
    database.db,
  );
  await sql`update segment set member_count = 0, evaluated_at = null where workspace_id = ${workspaceId}`.execute(
    database.db,
  );
}

/**
 * Runs `definition`'s batch handler over `jobs` directly, in batches of its batchSize with its
 * concurrency, as the worker would without pg-boss. Returns the seconds taken; throws when a job fails.
 */
export async function runDirectly(database: Database, definition: JobDefinition, jobs: QueuedJob[]) {
  const size = definition.batchSize ?? 1;
  const context = { database, logger: pino({ level: 'silent' }), secrets: createSecretBox(randomBytes(32)) };
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: definition.concurrency ?? 1 }, async () => {
      while (next < jobs.length) {
        const batch = jobs.slice(next, next + size);
        next += size;
        const failures = definition.runBatch
          ? await definition.runBatch(batch, context)
          : new Map<string, unknown>();
        if (!definition.runBatch) for (const job of batch) await definition.run(job.data, context);
        if (failures.size)
          throw new Error(`${definition.name}: ${failures.size} jobs failed when run directly`);
      }
    }),
  );
  return (performance.now() - started) / 1000;
}
