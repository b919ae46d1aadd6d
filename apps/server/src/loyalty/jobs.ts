// The loyalty engine's jobs (registered in jobs/registry.ts).
import { transact } from '../db/transact.ts';
import type { JobContext, JobDefinition, QueuedJob } from '../jobs/jobs.ts';
import { expirePoints, recordExpiringSoon } from './expire-points.ts';
import { type OrderLoyaltyOutcome, syncOrderLoyaltyInTx } from './order-points.ts';
import { loadRules } from './rules.ts';
import { runStatusGrants, workspacesWithLoyalty } from './status-grants.ts';
import { evaluateAllTiers } from './tiers.ts';

const ACTOR = 'job:loyalty-orders';

interface ChangedOrders {
  workspaceId: string;
  orderIds: number[];
}

function isChangedOrders(data: unknown): data is ChangedOrders {
  const d = data as Partial<ChangedOrders> | null;
  return typeof d?.workspaceId === 'string' && Array.isArray(d.orderIds);
}

/**
 * `loyalty-orders` for a batch of jobs: per workspace, the rules are read once and each distinct
 * order is synced once, in its own transaction (an order named by several jobs is not synced
 * twice). Points stay exactly-once whatever fails: each order's sync is one transaction that
 * earns under the order's idempotency key, so an order is either fully synced or not at all, and
 * a retried job finds the orders already synced and changes nothing for them. A job fails when
 * one of its orders failed; the orders of other jobs are unaffected.
 */
export async function syncOrderBatch(jobs: readonly QueuedJob[], { database, logger }: JobContext) {
  const failures = new Map<string, unknown>();
  const byWorkspace = new Map<string, { jobs: QueuedJob[]; orderIds: Set<number> }>();
  for (const job of jobs) {
    if (!isChangedOrders(job.data)) {
      failures.set(job.id, new Error('loyalty-orders: expected { workspaceId, orderIds }'));
      continue;
    }
    const group = byWorkspace.get(job.data.workspaceId) ?? { jobs: [], orderIds: new Set<number>() };
    group.jobs.push(job);
    for (const id of job.data.orderIds) group.orderIds.add(Number(id));
    byWorkspace.set(job.data.workspaceId, group);
  }
  for (const [workspaceId, group] of byWorkspace) {
    const started = Date.now();
    const failed = new Map<number, unknown>();
    const outcomes: OrderLoyaltyOutcome[] = [];
    try {
      const rules = await loadRules(database.db, workspaceId);
      for (const orderId of group.orderIds) {
        try {
          outcomes.push(
            await transact(database.db, (tx) =>
              syncOrderLoyaltyInTx(tx, workspaceId, orderId, rules, { actor: ACTOR }),
            ),
          );
        } catch (error) {
          failed.set(orderId, error);
        }
      }
    } catch (error) {
      for (const orderId of group.orderIds) failed.set(orderId, error);
    }
    for (const job of group.jobs) {
      const orderId = (job.data as ChangedOrders).orderIds.map(Number).find((id) => failed.has(id));
      if (orderId !== undefined) failures.set(job.id, failed.get(orderId));
    }
    logger.info(
      {
        workspaceId,
        jobs: group.jobs.length,
        orders: group.orderIds.size,
        failedOrders: failed.size,
        earned: outcomes.reduce((s, o) => s + o.earned, 0),
        reversed: outcomes.reduce((s, o) => s + o.reversed, 0),
        ms: Date.now() - started,
      },
      'order points synced',
    );
  }
  return failures;
}

export const LOYALTY_JOBS: JobDefinition[] = [
  {
    // Earn, reverse, order stamps and tier for changed orders. Safe to repeat (see order-points.ts).
    name: 'loyalty-orders',
    subscribe: ['orders.changed'],
    batchSize: 100,
    // An order that keeps failing is an order without its points: retried for 40 to 70 minutes
    // (backoff up to 10 minutes) before the job is left failed (and logged as such).
    retry: { limit: 10, maxDelaySeconds: 600 },
    run: async (data, context) => {
      const failures = await syncOrderBatch([{ id: 'direct', data, retryCount: 0 }], context);
      if (failures.size) throw failures.get('direct');
    },
    runBatch: syncOrderBatch,
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
