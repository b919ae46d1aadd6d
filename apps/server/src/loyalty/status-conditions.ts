// The conditions of the status-based coupon grants, in plain SQL and all in this one file: the
// segments capability will replace them with segment definitions. Each returns the customers
// who qualify at `at`, with a period key so that a customer gets the grant once per period.
import { type RawBuilder, sql } from 'kysely';
import type { STATUS_TRIGGERS } from './rules.ts';

export type StatusTrigger = (typeof STATUS_TRIGGERS)[number];

/** Days without an order after which a customer counts as lapsed (and before which they do not). */
export const LAPSED_AFTER_DAYS = 90;
export const LAPSED_UNTIL_DAYS = 180;
/** Orders in the last 180 days that make a customer a regular. */
export const REGULAR_MIN_ORDERS = 5;

type Row = { customer_id: number; period: string };

export function statusCondition(trigger: StatusTrigger, workspaceId: string, at: Date): RawBuilder<Row> {
  const jst = sql`(${at}::timestamptz at time zone 'Asia/Tokyo')`;
  switch (trigger) {
    case 'first_visit':
      // First order or visit in the last 24 hours.
      return sql<Row>`select customer_id, 'once' as period from (
          select customer_id, ordered_at as t from customer_order where workspace_id = ${workspaceId} and status <> 'cancelled'
          union all select customer_id, visited_at from visit where workspace_id = ${workspaceId}) x
        group by customer_id having min(t) > ${at}::timestamptz - interval '1 day' and min(t) <= ${at}`;
    case 'lapsed':
      // Once per lapse: the period is the day of the last order.
      return sql<Row>`select customer_id, to_char(max(ordered_at), 'YYYY-MM-DD') as period from customer_order
        where workspace_id = ${workspaceId} and status <> 'cancelled' group by customer_id
        having max(ordered_at) <= ${at}::timestamptz - make_interval(days => ${LAPSED_AFTER_DAYS})
          and max(ordered_at) > ${at}::timestamptz - make_interval(days => ${LAPSED_UNTIL_DAYS})`;
    case 'regular':
      return sql<Row>`select customer_id, to_char(${jst}, 'YYYY') as period from customer_order
        where workspace_id = ${workspaceId} and status = 'completed' and ordered_at > ${at}::timestamptz - interval '180 days'
          and ordered_at <= ${at}
        group by customer_id having count(*) >= ${REGULAR_MIN_ORDERS}`;
    case 'birthday':
      // During the birthday month (JST), once a year.
      return sql<Row>`select id as customer_id, to_char(${jst}, 'YYYY') as period from customer
        where workspace_id = ${workspaceId} and merged_into_id is null and birthday is not null
          and extract(month from birthday) = extract(month from ${jst})`;
    case 'anniversary':
      // On the day of registration (JST), from the first anniversary on.
      return sql<Row>`select id as customer_id, to_char(${jst}, 'YYYY') as period from customer
        where workspace_id = ${workspaceId} and merged_into_id is null
          and to_char(registered_at at time zone 'Asia/Tokyo', 'MM-DD') = to_char(${jst}, 'MM-DD')
          and (registered_at at time zone 'Asia/Tokyo')::date < (${jst})::date - 300`;
  }
}
