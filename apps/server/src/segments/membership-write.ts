/**
 * The write half of every membership evaluation, as one statement: the (segment, customer) pairs
 * that match now are diffed against the current ones, and the difference is written: members
 * entered and exited, history spells opened and closed, outbox events, member counts.
 *
 * The diff is a hash full join of the two sets, so its cost is linear in them: no per-row probe
 * of segment_member, which the planner may turn into a scan of the table per row while the same
 * statement is filling it (a first evaluation of 152,110 members took 320 s that way).
 */
import { type RawBuilder, sql } from 'kysely';
import type { MembershipChange } from './evaluate-membership.ts';

export interface MembershipPair {
  segment_id: number;
  customer_id: number;
}

/**
 * `matched`: the pairs that match now; `current`: the pairs in segment_member over the same
 * scope (the same segments and customers). Entry and exit events are written for the segments in
 * `emitting` only.
 */
export function writeMembershipDiff(
  ws: string,
  matched: RawBuilder<MembershipPair>,
  current: RawBuilder<MembershipPair>,
  emitting: readonly number[],
  at: Date,
): RawBuilder<MembershipChange> {
  return sql<MembershipChange>`
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
      on conflict do nothing
      returning segment_id, customer_id),
    exited as (
      delete from segment_member m using changed x
      where m.workspace_id = ${ws} and m.segment_id = x.segment_id and m.customer_id = x.customer_id
        and not x.member
      returning m.segment_id, m.customer_id),
    opened as (
      insert into segment_membership (workspace_id, segment_id, customer_id, entered_at)
      select ${ws}::uuid, segment_id, customer_id, ${at}::timestamptz from entered),
    closed as (
      update segment_membership h set exited_at = ${at}::timestamptz from exited x
      where h.workspace_id = ${ws} and h.segment_id = x.segment_id and h.customer_id = x.customer_id
        and h.exited_at is null),
    events as (
      insert into segment_membership_event (workspace_id, segment_id, customer_id, kind, occurred_at)
      select ${ws}::uuid, segment_id, customer_id, 'entered', ${at}::timestamptz from entered
        where segment_id = any(${[...emitting]}::bigint[])
      union all
      select ${ws}::uuid, segment_id, customer_id, 'exited', ${at}::timestamptz from exited
        where segment_id = any(${[...emitting]}::bigint[])),
    counted as (
      select segment_id, sum(d)::int as delta, count(*) filter (where d > 0)::int as entered,
        count(*) filter (where d < 0)::int as exited
      from (select segment_id, 1 as d from entered union all select segment_id, -1 from exited) t
      group by segment_id),
    bumped as (
      update segment g set member_count = member_count + c.delta from counted c
      where g.workspace_id = ${ws} and g.id = c.segment_id and c.delta <> 0)
    select coalesce(sum(entered), 0)::int as entered, coalesce(sum(exited), 0)::int as exited
    from counted`;
}
