// The loyalty engine's jobs (registered in jobs/registry.ts).
import type { JobDefinition } from '../jobs/jobs.ts';
import { expirePoints, recordExpiringSoon } from './expire-points.ts';
import { syncOrdersLoyalty } from './order-points.ts';
import { runStatusGrants, workspacesWithLoyalty } from './status-grants.ts';
import { evaluateAllTiers } from './tiers.ts';

export const LOYALTY_JOBS: JobDefinition[] = [
  {
    // Earn, reverse, order stamps and tier for changed orders. Safe to repeat (see order-points.ts).
    name: 'loyalty-orders',
    subscribe: ['orders.changed'],
    run: async (data, { database, logger }) => {
      const { workspaceId, orderIds } = data as { workspaceId: string; orderIds: number[] };
      const outcomes = await syncOrdersLoyalty(database.db, workspaceId, orderIds, {
        actor: 'job:loyalty-orders',
      });
      logger.info(
        {
          workspaceId,
          orders: orderIds.length,
          earned: outcomes.reduce((s, o) => s + o.earned, 0),
          reversed: outcomes.reduce((s, o) => s + o.reversed, 0),
        },
        'order points synced',
      );
    },
  },
  {
    name: 'loyalty-expire',
    schedule: '5 0 * * *', // 00:05 JST
    run: async (_data, { database, logger }) => {
      const expired = await expirePoints(database.db);
      const soon = await recordExpiringSoon(database.db);
      logger.info({ ...expired, expiringSoonEvents: soon.recorded }, 'points expired');
    },
  },
  {
    name: 'loyalty-daily',
    schedule: '30 4 * * *', // 04:30 JST, before shops open
    run: async (_data, { database, logger }) => {
      for (const workspaceId of await workspacesWithLoyalty(database.db)) {
        const tiers = await evaluateAllTiers(database.db, workspaceId, { actor: 'job:loyalty-daily' });
        const grants = await runStatusGrants(database.db, workspaceId, { actor: 'job:loyalty-daily' });
        logger.info({ workspaceId, tierChanges: tiers.length, ...grants }, 'tiers and status grants done');
      }
    },
  },
];
