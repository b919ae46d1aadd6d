// Date triggers, evaluated for one JST day (the daily job passes its clock's now; a missed day
// can be caught up by calling enterDateTriggers with that day's instant). Each enters the
// customers whose date falls on that day, keyed by the occurrence (the birthday's year, the last
// visit's day), so a customer has one run per occurrence however often the day is evaluated.
import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { DB } from '../db/schema.ts';
import { transact } from '../db/transact.ts';
import { jstDay } from '../shared/japan-time.ts';
import type { DateTrigger } from './definition.ts';
import { enterRuns, liveJourneys } from './enter-runs.ts';

const DATE_KINDS = ['date:birthday', 'date:anniversary', 'date:days_since_last', 'date:visit_cycle'];

// A customer's JST calendar day of an instant column.
const jstDate = (column: string) => sql`((${sql.ref(column)} at time zone 'UTC') + interval '9 hours')::date`;

/** Distinct JST days with a visit (or a completed order), per customer. */
function activityDays(workspaceId: string, of: 'orders' | 'visits'): RawBuilder<unknown> {
  return of === 'visits'
    ? sql`select distinct customer_id, ${jstDate('visited_at')} as day from visit where workspace_id = ${workspaceId}`
    : sql`select distinct customer_id, ${jstDate('ordered_at')} as day from customer_order
        where workspace_id = ${workspaceId} and status = 'completed'`;
}

/** The SQL of the (customer_id, key) pairs a date trigger enters on `today` (JST 'YYYY-MM-DD'). */
export function dateTriggerQuery(
  workspaceId: string,
  trigger: DateTrigger,
  today: string,
): RawBuilder<{ customer_id: number; key: string }> {
  const t = sql`${today}::date`;
  switch (trigger.date) {
    case 'birthday': {
      // The birthday in this year and the next (a window over New Year); 29 Feb is the 28th in
      // other years.
      const on = sql`make_date(y, extract(month from c.birthday)::int, least(extract(day from c.birthday)::int,
        extract(day from make_date(y, extract(month from c.birthday)::int, 1) + interval '1 month - 1 day')::int))`;
      return sql`select c.id as customer_id, y::text as key
        from customer c cross join generate_series(extract(year from ${t})::int, extract(year from ${t})::int + 1) y
        where c.workspace_id = ${workspaceId} and c.merged_into_id is null and c.birthday is not null
          and ${on} = ${t} + ${trigger.daysBefore}::int`;
    }
    case 'anniversary':
      return sql`select c.id as customer_id, extract(year from ${t})::text as key from customer c
        where c.workspace_id = ${workspaceId} and c.merged_into_id is null
          and to_char(${jstDate('c.registered_at')}, 'MM-DD') = to_char(${t}, 'MM-DD')
          and ${jstDate('c.registered_at')} < ${t}`;
    case 'days_since_last':
      return sql`select customer_id, max(day)::text as key from (${activityDays(workspaceId, trigger.of)}) d
        group by customer_id having ${t} - max(day) = ${trigger.days}::int`;
    case 'visit_cycle':
      return visitCycleQuery(workspaceId, trigger.of, t);
  }
}

/**
 * Visit cycle due: the days since the customer's last visit (or completed order) reach their
 * own median interval between visits, rounded up. A customer with fewer than 3 visiting days
 * has too few intervals to have a habit: the workspace's median interval stands in.
 */
function visitCycleQuery(
  workspaceId: string,
  of: 'orders' | 'visits',
  t: RawBuilder<unknown>,
): RawBuilder<{ customer_id: number; key: string }> {
  return sql`with d as (${activityDays(workspaceId, of)}),
    g as (select customer_id, day - lag(day) over (partition by customer_id order by day) as gap from d),
    own as (select customer_id, percentile_cont(0.5) within group (order by gap) as median
      from g where gap is not null group by customer_id),
    shop as (select percentile_cont(0.5) within group (order by gap) as median from g where gap is not null),
    last as (select customer_id, max(day) as day, count(*) as days from d group by customer_id)
    select l.customer_id, l.day::text as key
    from last l left join own o on o.customer_id = l.customer_id cross join shop s
    where ${t} - l.day = ceil(case when l.days >= 3 then o.median else s.median end)::int`;
}

/**
 * Enters the customers of every live date-triggered journey for the JST day of `now`.
 * Returns how many runs were created.
 *
 * @example
 * await enterDateTriggers(db, workspaceId, clock.now());
 */
export async function enterDateTriggers(db: Kysely<DB>, workspaceId: string, now: Date): Promise<number> {
  return transact(db, async (tx) => {
    let entered = 0;
    for (const journey of await liveJourneys(tx, workspaceId, DATE_KINDS)) {
      const trigger = journey.definition.trigger as DateTrigger;
      const { rows } = await dateTriggerQuery(workspaceId, trigger, jstDay(now)).execute(tx);
      const entries = rows.map((r) => ({ customerId: Number(r.customer_id), key: r.key }));
      // The key is the occurrence (the birthday's year, the last visit's day): one run each,
      // whatever the re-entry policy, however often the day is evaluated.
      entered += await enterRuns(tx, workspaceId, journey, entries, now, { oncePerKey: true });
    }
    return entered;
  });
}
