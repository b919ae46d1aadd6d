import { type Kysely, sql } from 'kysely';
import type { DB } from '../db/schema.ts';

/** The headline figures of a workspace: what the console's dashboard opens with. */
export interface Overview {
  customers: number;
  buyers: number;
  repeatBuyers: number;
  /** repeatBuyers / buyers; null without buyers. */
  repeatRate: number | null;
  /** Completed-order revenue per buyer to date, integer yen; null without buyers. */
  historicalLtv: number | null;
  /** Mean predicted CLV over customers with a prediction, integer yen; null before the first fit. */
  predictedClv: number | null;
  lineFriends: number;
  lineBlocked: number;
}

/**
 * Counts live (unmerged) customers, buyers and repeat buyers from customer_stats, and LINE friends
 * by status. Three statements, each over one workspace's rows through its leading workspace_id,
 * sent side by side: each reads every row of the workspace (at 1M customers about 250, 480 and
 * 130 ms on the 2-core development machine, bench/console/HISTORY.md), so one after the other
 * they added up to a second on the dashboard's first call.
 */
export async function readOverview(db: Kysely<DB>, workspaceId: string): Promise<Overview> {
  const [customers, stats, friends] = await Promise.all([
    db
      .selectFrom('customer')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('workspace_id', '=', workspaceId)
      .where('merged_into_id', 'is', null)
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('customer_stats')
      .select([
        sql<string>`count(*) filter (where order_count > 0)`.as('buyers'),
        sql<string>`count(*) filter (where order_count > 1)`.as('repeat'),
        sql<string | null>`sum(revenue) filter (where order_count > 0)`.as('revenue'),
        sql<string | null>`avg(predicted_clv)`.as('clv'),
      ])
      .where('workspace_id', '=', workspaceId)
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('line_friend')
      .select([
        sql<string>`count(*) filter (where status = 'friend')`.as('friends'),
        sql<string>`count(*) filter (where status = 'blocked')`.as('blocked'),
      ])
      .where('workspace_id', '=', workspaceId)
      .executeTakeFirstOrThrow(),
  ]);
  const buyers = Number(stats.buyers);
  const repeatBuyers = Number(stats.repeat);
  return {
    customers: Number(customers.n),
    buyers,
    repeatBuyers,
    repeatRate: buyers > 0 ? repeatBuyers / buyers : null,
    historicalLtv: buyers > 0 ? Math.round(Number(stats.revenue ?? 0) / buyers) : null,
    predictedClv: stats.clv === null ? null : Math.round(Number(stats.clv)),
    lineFriends: Number(friends.friends),
    lineBlocked: Number(friends.blocked),
  };
}
