import { type Kysely, sql } from 'kysely';
import type { DB } from '../db/schema.ts';
import './analytics-tables.ts';

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
  /**
   * When these figures were counted: the moment of the read for a workspace under
   * STORED_FROM_CUSTOMERS customers, else the last analytics refresh (hourly, or 集計を更新).
   */
  computedAt: string;
  /** 'live': counted at this read; 'hourly': stored by the last analytics refresh. */
  freshness: 'live' | 'hourly';
}

type Figures = Omit<Overview, 'computedAt' | 'freshness'>;

/**
 * From this many live customers on, the overview is read from analytics_summary (stored by
 * every analytics refresh) instead of counted on each read. Its three counts read every row of
 * the workspace: about 0.55 s at 1M customers on the 2-core development machine
 * (bench/console/HISTORY.md), nearly all of the dashboard's API time; under 100,000 they take a
 * few tens of ms, and the figures stay exact to the moment.
 */
export const STORED_FROM_CUSTOMERS = 100_000;
const VIEW = 'overview';

/**
 * Counts live (unmerged) customers, buyers and repeat buyers from customer_stats, and LINE friends
 * by status. Three statements, each over one workspace's rows through its leading workspace_id,
 * sent side by side: each reads every row of the workspace (at 1M customers about 250, 480 and
 * 130 ms on the 2-core development machine, bench/console/HISTORY.md), so one after the other
 * they added up to a second on the dashboard's first call.
 */
export async function countOverview(db: Kysely<DB>, workspaceId: string): Promise<Figures> {
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

/** Counts the overview now and stores it for large workspaces' reads (analytics refresh). */
export async function storeOverview(db: Kysely<DB>, workspaceId: string): Promise<void> {
  const started = Date.now();
  const figures = await countOverview(db, workspaceId);
  await db
    .insertInto('analytics_summary')
    .values({
      workspace_id: workspaceId,
      view: VIEW,
      body: JSON.stringify(figures),
      computed_at: new Date(),
      took_ms: Date.now() - started,
    })
    .onConflict((oc) =>
      oc.columns(['workspace_id', 'view']).doUpdateSet((eb) => ({
        body: eb.ref('excluded.body'),
        computed_at: eb.ref('excluded.computed_at'),
        took_ms: eb.ref('excluded.took_ms'),
      })),
    )
    .execute();
}

/**
 * The dashboard's headline figures: the stored ones when the last refresh counted at least
 * STORED_FROM_CUSTOMERS customers, else counted now (a workspace that grew past the threshold is
 * counted live until its next refresh stores it).
 */
export async function readOverview(
  db: Kysely<DB>,
  workspaceId: string,
  options: { now?: Date; storedFrom?: number } = {},
): Promise<Overview> {
  const stored = await db
    .selectFrom('analytics_summary')
    .select(['body', 'computed_at'])
    .where('workspace_id', '=', workspaceId)
    .where('view', '=', VIEW)
    .executeTakeFirst();
  const figures = stored?.body as Figures | undefined;
  if (stored && figures && figures.customers >= (options.storedFrom ?? STORED_FROM_CUSTOMERS))
    return { ...figures, computedAt: stored.computed_at.toISOString(), freshness: 'hourly' };
  const computedAt = (options.now ?? new Date()).toISOString();
  return { ...(await countOverview(db, workspaceId)), computedAt, freshness: 'live' };
}
