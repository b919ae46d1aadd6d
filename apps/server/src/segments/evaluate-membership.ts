/**
 * Brings a segment's materialised membership up to date with its definition: one statement that
 * runs the compiled query, inserts the customers who entered, deletes those who exited, opens and
 * closes their history spells and appends entry/exit events to the outbox journeys read. With
 * `customerIds` only those customers are evaluated; the incremental recompute after a change
 * (recompute-membership.ts) evaluates all of a workspace's segments together instead.
 */
import { type Kysely, sql } from 'kysely';
import type { DB } from '../db/schema.ts';
import { transact } from '../db/transact.ts';
import { type CompileOptions, compileDefinition } from './compile-definition.ts';
import type { RuleNode } from './rule-tree.ts';
import './segment-tables.ts';

export interface MembershipChange {
  entered: number;
  exited: number;
}

/**
 * Re-evaluates one segment (all customers, or `customerIds`) and records the difference.
 * The segment row is locked for the duration, so concurrent evaluations of one segment queue up
 * instead of both inserting the same entry.
 */
export async function evaluateSegment(
  db: Kysely<DB>,
  workspaceId: string,
  segmentId: number,
  options: { customerIds?: readonly number[]; now?: Date } = {},
): Promise<MembershipChange> {
  return transact(db, async (tx) => {
    const segment = await tx
      .selectFrom('segment')
      .select(['definition', 'evaluated_at'])
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', segmentId)
      .forUpdate()
      .executeTakeFirst();
    if (!segment) return { entered: 0, exited: 0 };
    // The first evaluation of a new segment records its members and their spells but no entry
    // events: a journey should not fire for everyone who already matched when it was saved.
    const firstEvaluation = segment.evaluated_at === null;
    const change = await applyDiff(
      tx,
      segment.definition as RuleNode,
      segmentId,
      {
        workspaceId,
        ...(options.now ? { now: options.now } : {}),
        ...(options.customerIds ? { customerIds: options.customerIds } : {}),
      },
      !firstEvaluation,
    );
    await sql`update segment set member_count = member_count + ${change.entered - change.exited},
      evaluated_at = case when ${options.customerIds === undefined} then now() else evaluated_at end
      where workspace_id = ${workspaceId} and id = ${segmentId}`.execute(tx);
    return change;
  });
}

async function applyDiff(
  tx: Kysely<DB>,
  definition: RuleNode,
  segmentId: number,
  options: CompileOptions,
  emitEvents: boolean,
): Promise<MembershipChange> {
  const ws = options.workspaceId;
  const ids = options.customerIds;
  const matched = compileDefinition(definition, options);
  const scope = ids ? sql`and m.customer_id = any(${[...ids]}::bigint[])` : sql``;
  const at = options.now ?? new Date();
  const { rows } = await sql<{ entered: number; exited: number }>`
    with matched as materialized (${matched}),
    entered as (
      insert into segment_member (workspace_id, segment_id, customer_id, entered_at)
      select ${ws}::uuid, ${segmentId}::bigint, x.id, ${at}::timestamptz from matched x
      where not exists (select 1 from segment_member m where m.workspace_id = ${ws}
        and m.segment_id = ${segmentId} and m.customer_id = x.id)
      on conflict do nothing
      returning customer_id),
    exited as (
      delete from segment_member m where m.workspace_id = ${ws} and m.segment_id = ${segmentId} ${scope}
        and not exists (select 1 from matched x where x.id = m.customer_id)
      returning customer_id),
    opened as (
      insert into segment_membership (workspace_id, segment_id, customer_id, entered_at)
      select ${ws}::uuid, ${segmentId}::bigint, customer_id, ${at}::timestamptz from entered),
    closed as (
      update segment_membership h set exited_at = ${at}::timestamptz
      where h.workspace_id = ${ws} and h.segment_id = ${segmentId} and h.exited_at is null
        and h.customer_id in (select customer_id from exited)),
    events as (
      insert into segment_membership_event (workspace_id, segment_id, customer_id, kind, occurred_at)
      select ${ws}::uuid, ${segmentId}::bigint, customer_id, 'entered', ${at}::timestamptz from entered
        where ${emitEvents}::boolean
      union all
      select ${ws}::uuid, ${segmentId}::bigint, customer_id, 'exited', ${at}::timestamptz from exited
        where ${emitEvents}::boolean)
    select (select count(*) from entered)::int as entered, (select count(*) from exited)::int as exited`.execute(
    tx,
  );
  return rows[0] ?? { entered: 0, exited: 0 };
}
