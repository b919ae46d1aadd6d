/**
 * The write half of every membership evaluation, as one statement: the (segment, customer) pairs
 * that match now are diffed against the current ones, and the difference is written: members
 * entered and exited, the log of entries and exits (the outbox journeys read, and with the
 * current members the history: an exit carries the instant its spell began), member counts.
 *
 * The diff is a hash full join of the two sets, so its cost is linear in them: no per-row probe
 * of segment_member, which the planner may turn into a scan of the table per row while the same
 * statement is filling it (a first evaluation of 152,110 members took 320 s that way).
 *
 * The caller holds the segments' rows locked (every evaluation does), so no other statement
 * writes their members meanwhile: an entry cannot already be a member (no ON CONFLICT needed),
 * and the members and events written belong to segments that exist (no foreign key checks).
 */
import { type RawBuilder, sql } from 'kysely';

export interface MembershipPair {
  segment_id: number;
  customer_id: number;
}

/** One segment's share of a diff. */
export interface SegmentDiff {
  segment_id: number;
  entered: number;
  exited: number;
}

/**
 * `matched`: the pairs that match now; `current`: the pairs in segment_member over the same
 * scope (the same segments and customers). Entries are logged for the segments in `emitting`
 * only (see evaluateSegment); exits for every segment, since each closes a spell of the history.
 * With `counts: 'bump'` the statement also moves the segments' member counts (for a caller that
 * holds them locked for update); with 'return' the caller does (recompute-membership.ts).
 */
export function writeMembershipDiff(
  ws: string,
  matched: RawBuilder<MembershipPair>,
  current: RawBuilder<MembershipPair>,
  emitting: readonly number[],
  at: Date,
  options: { counts: 'bump' | 'return' },
): RawBuilder<SegmentDiff> {
  const bump =
    options.counts === 'bump'
      ? sql`,
    bumped as (
      update segment g set member_count = member_count + (c.entered - c.exited) from counted c
      where g.workspace_id = ${ws} and g.id = c.segment_id and c.entered <> c.exited)`
      : sql``;
  return sql<SegmentDiff>`
    with matched as materialized (${matched}),
    current as materialized (${current}),
    changed as materialized (
      select coalesce(x.segment_id, m.segment_id) as segment_id,
        coalesce(x.customer_id, m.customer_id) as customer_id, x.customer_id is not null as member
      from matched x full join current m on m.segment_id = x.segment_id and m.customer_id = x.customer_id
      where x.customer_id is null or m.customer_id is null),
    entered as (
      insert into segment_member (workspace_id, segment_id, customer_id, entered_at)
      select ${ws}::uuid, segment_id, customer_id, ${at}::timestamptz from changed where member
      returning segment_id, customer_id),
    exited as (
      delete from segment_member m using changed x
      where m.workspace_id = ${ws} and m.segment_id = x.segment_id and m.customer_id = x.customer_id
        and not x.member
      returning m.segment_id, m.customer_id, m.entered_at),
    events as (
      insert into segment_membership_event (workspace_id, segment_id, customer_id, kind, occurred_at, entered_at)
      select ${ws}::uuid, segment_id, customer_id, 'entered', ${at}::timestamptz, null from entered
        where segment_id = any(${[...emitting]}::bigint[])
      union all
      select ${ws}::uuid, segment_id, customer_id, 'exited', ${at}::timestamptz, entered_at from exited),
    counted as (
      select segment_id, count(*) filter (where d > 0)::int as entered,
        count(*) filter (where d < 0)::int as exited
      from (select segment_id, 1 as d from entered union all select segment_id, -1 from exited) t
      group by segment_id)${bump}
    select segment_id, entered, exited from counted`;
}
