// The loyalty engine's jobs (declared in capability.ts).
import { type Kysely, sql } from 'kysely';
import type { DB } from '../db/schema.ts';
import { transact } from '../db/transact.ts';
import type { TopicPayloads } from '../jobs/domain-topics.ts';
import type { JobContext, JobDefinition, QueuedJob } from '../jobs/job-types.ts';
import { clockOf } from '../shared/clock.ts';
import { notFound } from '../shared/domain-error.ts';
import { expirePoints, recordExpiringSoon } from './expire-points.ts';
import { lockMembers } from './members.ts';
import { type OrderLoyaltyOutcome, prefetchOrderFacts, syncOrderLoyaltyInTx } from './order-points.ts';
import { PendingPosts } from './pending-posts.ts';
import { type LoyaltyRules, loadRules } from './rules.ts';
import { listStampCardTemplates } from './stamp-cards.ts';
import { runStatusGrants, workspacesWithLoyalty } from './status-grants.ts';
import { evaluateAllTiers, spendBases } from './tiers.ts';

const ACTOR = 'job:loyalty-orders';

/** What the job needs of an `orders.changed` publication (also sent directly, untagged). */
type ChangedOrders = Pick<TopicPayloads['orders.changed'], 'workspaceId' | 'orderIds'>;

function isChangedOrders(data: unknown): data is ChangedOrders {
  const d = data as Partial<ChangedOrders> | null;
  return typeof d?.workspaceId === 'string' && Array.isArray(d.orderIds);
}

/**
 * Orders synced in one transaction by the batch handler: a commit per order cost a fifth of the
 * sync. Small enough that the member locks (and, on PGlite, the one connection) are held for a
 * short while only.
 */
export const ORDERS_PER_TRANSACTION = 100;

/**
 * `loyalty-orders` for a batch of jobs: per workspace, the rules are read once and each distinct
 * order is synced once, ORDERS_PER_TRANSACTION to a transaction, in customer order (so that two
 * workers lock members in the same order). Points stay exactly-once whatever fails: an order's
 * sync earns under the order's idempotency key inside its transaction, so it is done entirely or
 * not at all, and a retried job finds its orders synced and changes nothing for them. When a
 * transaction fails, its orders are synced one per transaction, so that only the failing order's
 * jobs fail; the orders of other jobs are unaffected.
 */
export async function syncOrderBatch(jobs: readonly QueuedJob[], context: JobContext) {
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
    const { failed, outcomes } = await syncWorkspaceOrders(context.database.db, workspaceId, group.orderIds, {
      at: clockOf(context).now(),
    });
    for (const job of group.jobs) {
      const orderId = (job.data as ChangedOrders).orderIds.map(Number).find((id) => failed.has(id));
      if (orderId !== undefined) failures.set(job.id, failed.get(orderId));
    }
    context.logger.info(
      {
        workspaceId,
        jobs: group.jobs.length,
        orders: group.orderIds.size,
        failedOrders: failed.size,
        earned: outcomes.reduce((s, o) => s + o.earned, 0),
        reversed: outcomes.reduce((s, o) => s + o.reversed, 0),
        nextPurchaseCoupons: outcomes.reduce((s, o) => s + o.nextPurchaseCoupons, 0),
        ms: Date.now() - started,
      },
      'order points synced',
    );
  }
  return failures;
}

/**
 * Syncs the orders (points, stamps, tier, next-purchase coupons) set-based, 100 to a transaction,
 * as the job does; returns the outcomes and, by order id, the errors of those that failed. For a
 * loader that wrote orders without publishing `orders.changed` (the demo, a one-off backfill).
 *
 * @example
 * const { failed } = await syncWorkspaceOrders(db, workspaceId, new Set(orderIds));
 * if (failed.size) throw [...failed.values()][0];
 */
export async function syncWorkspaceOrders(
  db: Kysely<DB>,
  workspaceId: string,
  orderIds: ReadonlySet<number>,
  options: { at?: Date } = {},
) {
  const failed = new Map<number, unknown>();
  const outcomes: OrderLoyaltyOutcome[] = [];
  let rules: LoyaltyRules;
  let ordered: { id: number; customerId: number }[];
  try {
    rules = await loadRules(db, workspaceId);
    ordered = await inCustomerOrder(db, workspaceId, orderIds);
  } catch (error) {
    for (const id of orderIds) failed.set(id, error);
    return { failed, outcomes };
  }
  const present = new Set(ordered.map((o) => o.id));
  for (const id of orderIds) if (!present.has(id)) failed.set(id, notFound(`order ${id}`));
  const syncAll = (chunk: { id: number; customerId: number }[]) =>
    transact(db, async (tx) => {
      // The members first (in customer order), then what the syncs read, under their locks: the
      // orders' facts, and the members' spend (one instant for the chunk, so it holds for each).
      const at = options.at ?? new Date();
      const customerIds = chunk.map((o) => o.customerId);
      const locked = await lockMembers(tx, workspaceId, customerIds);
      const facts = await prefetchOrderFacts(
        tx,
        workspaceId,
        chunk.map((o) => o.id),
      );
      const spend = await spendBases(tx, workspaceId, rules, at, [...locked.keys()]);
      const stampCards = await listStampCardTemplates(tx, workspaceId);
      // The chunk's earns and tier changes, written together (pending-posts.ts) before the commit.
      const pending = new PendingPosts(workspaceId);
      const done: OrderLoyaltyOutcome[] = [];
      for (const { id } of chunk) {
        const known = facts.get(id);
        const member = known && locked.get(Number(known.order.customer_id));
        // An order moved to another customer since it was listed is read again under that lock.
        const usable =
          known && member ? { facts: known, member, tierBasis: spend.get(member.customer_id) } : {};
        const outcome = await syncOrderLoyaltyInTx(tx, workspaceId, id, rules, {
          actor: ACTOR,
          at,
          stampCards,
          pending,
          ...usable,
        });
        // The next order of the member is earned at the tier this one left it in.
        if (member && outcome.tier !== member.tier_code)
          locked.set(member.customer_id, { ...member, tier_code: outcome.tier, tier_since: at });
        done.push(outcome);
      }
      await pending.flush(tx);
      return done;
    });
  for (let i = 0; i < ordered.length; i += ORDERS_PER_TRANSACTION) {
    const chunk = ordered.slice(i, i + ORDERS_PER_TRANSACTION);
    try {
      outcomes.push(...(await syncAll(chunk)));
    } catch (error) {
      if (chunk.length === 1) failed.set(chunk[0]!.id, error);
      else
        for (const order of chunk)
          await syncAll([order]).then(
            (done) => outcomes.push(...done),
            (e: unknown) => failed.set(order.id, e),
          );
    }
  }
  return { failed, outcomes };
}

/** The orders that exist, with their customers, by customer then id. */
async function inCustomerOrder(db: Kysely<DB>, workspaceId: string, orderIds: ReadonlySet<number>) {
  const { rows } = await sql<{ id: number; customer_id: number }>`select id, customer_id from customer_order
    where workspace_id = ${workspaceId} and id = any(${[...orderIds]}::bigint[]) order by customer_id, id`.execute(
    db,
  );
  return rows.map((r) => ({ id: Number(r.id), customerId: Number(r.customer_id) }));
}

export const LOYALTY_JOBS: JobDefinition[] = [
  {
    // Earn, reverse, order stamps and tier for changed orders. Safe to repeat (see order-points.ts).
    name: 'loyalty-orders',
    subscribe: ['orders.changed'],
    batchSize: 100,
    // Two batches at once on PostgreSQL: most of an order's sync is waiting for the database.
    concurrency: 2,
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
    run: async (_data, context) => {
      const { database, logger } = context;
      const at = clockOf(context).now();
      const expired = await expirePoints(database.db, { at });
      const soon = await recordExpiringSoon(database.db, { at });
      logger.info({ ...expired, expiringSoonEvents: soon.recorded }, 'points expired');
    },
  },
  {
    name: 'loyalty-daily',
    schedule: '30 4 * * *', // 04:30 JST, before shops open
    run: async (_data, context) => {
      const { database, logger } = context;
      const at = clockOf(context).now();
      for (const workspaceId of await workspacesWithLoyalty(database.db)) {
        const tiers = await evaluateAllTiers(database.db, workspaceId, { actor: 'job:loyalty-daily', at });
        const grants = await runStatusGrants(database.db, workspaceId, { actor: 'job:loyalty-daily', at });
        logger.info({ workspaceId, tierChanges: tiers.length, ...grants }, 'tiers and status grants done');
      }
    },
  },
];
