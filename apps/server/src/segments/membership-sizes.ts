/**
 * A segment's size at the end of each JST day, read from its spells of membership: the open ones
 * (`segment_member.entered_at`) and the closed ones (exit events carry `entered_at`). Each spell
 * adds one from its entry's day and removes one from its exit's day; a running sum over the days
 * gives the size, in one statement whatever the segment's size.
 *
 * The history starts on the segment's creation day: its first evaluation records who matched then,
 * not when they started matching (segments/README.md, "How a definition runs").
 *
 * @example
 * await membershipSizes(db, ws, 12, { days: 30, now: clock.now() });
 * // [{ day: '2026-11-08', members: 120 }, …, { day: '2026-12-07', members: 131 }]
 */
import { type Kysely, sql } from 'kysely';
import type { DB } from '../db/schema.ts';

export interface DaySize {
  /** The JST calendar day, yyyy-mm-dd. */
  day: string;
  /** Members at the end of that day (now, for today). */
  members: number;
}

export async function membershipSizes(
  db: Kysely<DB>,
  workspaceId: string,
  segmentId: number,
  options: { days: number; now: Date; createdAt: Date },
): Promise<DaySize[]> {
  const { rows } = await sql<{ day: string; members: string | number }>`
    with bounds as (
      select greatest(
               (${options.now}::timestamptz at time zone 'Asia/Tokyo')::date - ${options.days - 1}::int,
               (${options.createdAt}::timestamptz at time zone 'Asia/Tokyo')::date) as first_day,
             (${options.now}::timestamptz at time zone 'Asia/Tokyo')::date as last_day
    ),
    changes as (
      select entered_at as at, 1 as d from segment_member
        where workspace_id = ${workspaceId} and segment_id = ${segmentId}
      union all
      select entered_at, 1 from segment_membership_event
        where workspace_id = ${workspaceId} and segment_id = ${segmentId} and kind = 'exited'
      union all
      select occurred_at, -1 from segment_membership_event
        where workspace_id = ${workspaceId} and segment_id = ${segmentId} and kind = 'exited'
    ),
    per_day as (
      -- Changes before the first day shown count on it: they make its starting size.
      select greatest((c.at at time zone 'Asia/Tokyo')::date, b.first_day) as day, sum(c.d) as n
      from changes c cross join bounds b group by 1
    )
    select to_char(s.day, 'YYYY-MM-DD') as day,
           sum(coalesce(p.n, 0)) over (order by s.day) as members
    from bounds b
    cross join lateral generate_series(b.first_day, b.last_day, interval '1 day') as s(day)
    left join per_day p on p.day = s.day::date
    order by s.day`.execute(db);
  return rows.map((r) => ({ day: r.day, members: Number(r.members) }));
}
