/**
 * The write half of every membership evaluation, in two steps:
 *
 * 1. `writeMembershipDiff`, one statement: the (segment, customer) pairs that match now are
 *    diffed against the current ones and segment_member is changed (entries inserted, exits
 *    deleted). It returns what must be logged and the count moved per segment.
 * 2. `appendMembershipLog`, just before the commit: the entries and exits go to the log (the
 *    outbox the rich-menu sync reads, and with the current members the history: an exit carries
 *    the instant its spell began) and to the domain event log (`segment.entered` / `exited`,
 *    which journeys read), and the member counts move.
 *
 * Step 2 holds the workspace's log lock until the commit, so log ids are in commit order within
 * a workspace and a consumer that reads `id > cursor` never passes an event that was still to
 * commit below it. Only this short step is serialised: the recompute's parts run step 1 side by
 * side.
 *
 * The diff is a hash full join of the two sets, so its cost is linear in them: no per-row probe
 * of segment_member, which the planner may turn into a scan of the table per row while the same
 * statement is filling it (a first evaluation of 152,110 members took 320 s that way).
 *
 * No other transaction writes the same (segment, customer) pairs meanwhile (the caller holds the
 * segment locked for update, or the customers' shard locks): an entry cannot already be a member
 * (no ON CONFLICT needed), and the rows written belong to segments that exist (no foreign-key
 * checks; a statement trigger deletes them with their segment).
 */
import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { DB } from '../db/schema.ts';
import { insertSelectedEvents } from '../domain-events/append-select.ts';

/** How many customers entered and exited a segment in one evaluation. */
export interface MembershipChange {
  entered: number;
  exited: number;
}

export interface MembershipPair {
  segment_id: number;
  customer_id: number;
}

/** What a diff changed: the entries and exits to log, and the counts per segment. */
export interface MembershipDiff {
  /** Per segment that changed: its id, entries and exits (all of them, logged or not). */
  segment_ids: number[];
  entered: number[];
  exited: number[];
  /** How many changes are to be logged. */
  log_count: number;
  /**
   * The changes to log, as parallel PostgreSQL array literals (`{…}` text). They go back to the
   * server in step 2 as they came: Node never parses or formats thousands of ids and instants
   * (doing so took as long as the log's insert itself, for 2,500 changes).
   */
  log_segment_ids: string;
  log_customer_ids: string;
  log_kinds: string;
  /** Exits: when the spell began; entries: NULL. */
  log_entered_at: string;
}

/**
 * `matched`: the pairs that match now; `current`: the pairs in segment_member over the same
 * scope (the same segments and customers). Entries are to be logged for the segments in
 * `emitting` only (see evaluateSegment); exits for every segment, since each closes a spell of
 * the history.
 */
export function writeMembershipDiff(
  ws: string,
  matched: RawBuilder<MembershipPair>,
  current: RawBuilder<MembershipPair>,
  emitting: readonly number[],
  at: Date,
): RawBuilder<MembershipDiff> {
  return sql<MembershipDiff>`
    with matched as materialized (${matched}),
    current as materialized (${current}),
    changed as materialized (
      select coalesce(x.segment_id, m.segment_id) as segment_id,
        coalesce(x.customer_id, m.customer_id) as customer_id, x.customer_id is not null as member
      from matched x full join current m on m.segment_id = x.segment_id and m.customer_id = x.customer_id
      where x.customer_id is null or m.customer_id is null),
    entered as materialized (
      insert into segment_member (workspace_id, segment_id, customer_id, entered_at)
      select ${ws}::uuid, segment_id, customer_id, ${at}::timestamptz from changed where member
      returning segment_id, customer_id),
    exited as materialized (
      delete from segment_member m using changed x
      where m.workspace_id = ${ws} and m.segment_id = x.segment_id and m.customer_id = x.customer_id
        and not x.member
      returning m.segment_id, m.customer_id, m.entered_at),
    logged as materialized (
      select segment_id, customer_id, 'entered' as kind, null::timestamptz as entered_at from entered
        where segment_id = any(${[...emitting]}::bigint[])
      union all
      select segment_id, customer_id, 'exited', entered_at from exited),
    counted as materialized (
      select segment_id, count(*) filter (where d > 0)::int as entered,
        count(*) filter (where d < 0)::int as exited
      from (select segment_id, 1 as d from entered union all select segment_id, -1 from exited) t
      group by segment_id)
    select
      (select coalesce(array_agg(segment_id order by segment_id), '{}') from counted) as segment_ids,
      (select coalesce(array_agg(entered order by segment_id), '{}') from counted) as entered,
      (select coalesce(array_agg(exited order by segment_id), '{}') from counted) as exited,
      (select count(*)::int from logged) as log_count,
      (select coalesce(array_agg(segment_id), '{}')::text from logged) as log_segment_ids,
      (select coalesce(array_agg(customer_id), '{}')::text from logged) as log_customer_ids,
      (select coalesce(array_agg(kind), '{}')::text from logged) as log_kinds,
      (select coalesce(array_agg(entered_at), '{}')::text from logged) as log_entered_at`;
}

/** The workspace's log lock (a transaction advisory lock): log ids in commit order. */
function logLock(ws: string) {
  return sql`select pg_advisory_xact_lock(hashtext(${`kizuna.segment-log:${ws}`}))`;
}

/**
 * One statement: the changes go to the membership log and, as `segment.entered` /
 * `segment.exited`, to the domain event log.
 */
function logChanges(ws: string, diff: MembershipDiff, at: Date) {
  const occurredAt = sql<Date>`${at}::timestamptz`;
  const entered = insertSelectedEvents(ws, {
    type: 'segment.entered',
    from: sql`changes l where l.kind = 'entered'`,
    customerId: sql<number>`l.customer_id`,
    payload: { segmentId: sql<number>`l.segment_id` },
    occurredAt,
  });
  const exited = insertSelectedEvents(ws, {
    type: 'segment.exited',
    from: sql`changes l where l.kind = 'exited'`,
    customerId: sql<number>`l.customer_id`,
    payload: { segmentId: sql<number>`l.segment_id`, enteredAt: sql<string>`l.entered_at` },
    occurredAt,
  });
  return sql`
    with changes as materialized (
      select * from unnest(${diff.log_segment_ids}::bigint[], ${diff.log_customer_ids}::bigint[],
        ${diff.log_kinds}::text[], ${diff.log_entered_at}::timestamptz[]) as l(segment_id, customer_id, kind, entered_at)),
    logged as (
      insert into segment_membership_event (workspace_id, segment_id, customer_id, kind, occurred_at, entered_at)
      select ${ws}::uuid, l.segment_id, l.customer_id, l.kind, ${at}::timestamptz, l.entered_at from changes l),
    entered as (${entered})
    ${exited}`;
}

/**
 * Step 2, to run last in the transaction of step 1: logs the changes and moves the member counts
 * (the segment rows locked in id order, so that two transactions never wait on each other in
 * opposite orders).
 */
export async function appendMembershipLog(
  tx: Kysely<DB>,
  ws: string,
  diff: MembershipDiff,
  at: Date,
): Promise<MembershipChange> {
  const change = {
    entered: diff.entered.reduce((sum: number, n) => sum + Number(n), 0),
    exited: diff.exited.reduce((sum: number, n) => sum + Number(n), 0),
  };
  if (!diff.segment_ids.length) return change;
  await logLock(ws).execute(tx);
  if (diff.log_count > 0) await logChanges(ws, diff, at).execute(tx);
  const moved = diff.segment_ids
    .map((id, i) => ({ id: Number(id), delta: Number(diff.entered[i]) - Number(diff.exited[i]) }))
    .filter((m) => m.delta !== 0);
  if (moved.length) {
    const ids = moved.map((m) => m.id);
    await sql`select id from segment where workspace_id = ${ws} and id = any(${ids}::bigint[])
      order by id for no key update`.execute(tx);
    await sql`update segment g set member_count = g.member_count + d.delta
      from unnest(${ids}::bigint[], ${moved.map((m) => m.delta)}::int[]) d(segment_id, delta)
      where g.workspace_id = ${ws} and g.id = d.segment_id`.execute(tx);
  }
  return change;
}
