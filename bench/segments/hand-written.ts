// The baseline: for each template, the plain SQL count a developer would write by hand for the
// same condition (same rules: completed orders, JST windows, live customers).

import type { jstClock } from '@kizuna/server/internal/segments/compile-definition';
import { type RawBuilder, sql } from 'kysely';

export function handWritten(
  key: string,
  ws: string,
  clock: ReturnType<typeof jstClock>,
): RawBuilder<{ n: number }> {
  const live = sql`c.workspace_id = ${ws} and c.merged_into_id is null`;
  const orders = sql`select customer_id from customer_order where workspace_id = ${ws} and status = 'completed'`;
  const visits = sql`select customer_id from visit where workspace_id = ${ws}`;
  const count = (from: RawBuilder<unknown>) => sql<{ n: number }>`select count(*)::int as n from ${from}`;
  switch (key) {
    case 'first_purchase':
      return count(
        sql`customer c join (${orders} group by customer_id having count(*) = 1) o on o.customer_id = c.id where ${live}`,
      );
    case 'first_visit':
      return count(
        sql`customer c join (${visits} group by customer_id having count(*) = 1) v on v.customer_id = c.id where ${live}`,
      );
    case 'new_30d': {
      const start = clock.dayStart(29);
      return count(sql`customer c where ${live} and (
        c.id in (select customer_id from customer_order where workspace_id = ${ws} and status = 'completed'
          group by customer_id having min(ordered_at) >= ${start}::timestamptz)
        or c.id in (select customer_id from visit where workspace_id = ${ws}
          group by customer_id having min(visited_at) >= ${start}::timestamptz))`);
    }
    case 'regulars':
      return count(
        sql`customer c join (${visits} group by customer_id having count(*) >= 3) v on v.customer_id = c.id where ${live}`,
      );
    case 'lapsed_180d': {
      const start = clock.dayStart(179);
      return count(sql`customer c where ${live}
        and (exists (select 1 from customer_order o where o.workspace_id = ${ws} and o.customer_id = c.id and o.status = 'completed')
          or exists (select 1 from visit v where v.workspace_id = ${ws} and v.customer_id = c.id))
        and not exists (select 1 from customer_order o where o.workspace_id = ${ws} and o.customer_id = c.id
          and o.status = 'completed' and o.ordered_at >= ${start}::timestamptz)
        and not exists (select 1 from visit v where v.workspace_id = ${ws} and v.customer_id = c.id
          and v.visited_at >= ${start}::timestamptz)`);
    }
    case 'birthday_this_month':
      return count(sql`customer c where ${live} and extract(month from c.birthday) = ${clock.month}`);
    case 'vip':
      return count(sql`customer c join clv_prediction p on p.workspace_id = c.workspace_id and p.customer_id = c.id
        where ${live} and p.clv_percentile >= 90`);
    case 'at_risk':
      return count(sql`customer c join clv_prediction p on p.workspace_id = c.workspace_id and p.customer_id = c.id
        join (${orders} group by customer_id having count(*) >= 2) o on o.customer_id = c.id
        where ${live} and p.p_alive < 0.5`);
    case 'line_friends_never_bought':
      return count(sql`customer c where ${live}
        and exists (select 1 from customer_identity i where i.workspace_id = ${ws} and i.customer_id = c.id and i.kind = 'line')
        and not exists (select 1 from customer_consent cc where cc.workspace_id = ${ws} and cc.customer_id = c.id
          and cc.channel = 'line' and cc.status = 'blocked')
        and not exists (select 1 from customer_order o where o.workspace_id = ${ws} and o.customer_id = c.id and o.status = 'completed')`);
    default:
      throw new Error(`no hand-written count for ${key}`);
  }
}
