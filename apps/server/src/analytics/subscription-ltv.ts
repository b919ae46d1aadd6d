// Subscription LTV per plan (GET /v1/analytics/subscriptions): the workspace's subscription
// orders, read here, followed and fitted by @kizuna/clv's subscriptionLtvByPlan, whose doc comment
// states the rule (billing periods, cancellations, censoring).
import { type PlanLtv, type SubscriptionPayment, subscriptionLtvByPlan } from '@kizuna/clv';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';

/** What an order's status says about its subscription: only completed orders pay a period. */
function paymentKind(status: string): SubscriptionPayment['kind'] {
  if (status === 'completed') return 'paid';
  if (status === 'cancelled' || status === 'refunded') return 'stopped';
  return 'other';
}

/** The workspace's subscription orders as payments, oldest first. */
export async function readSubscriptionPayments(
  db: Kysely<DB>,
  workspaceId: string,
  asOf: Date,
): Promise<SubscriptionPayment[]> {
  const rows = await db
    .selectFrom('customer_order')
    .select([
      'subscription_id',
      'subscription_plan',
      'subscription_interval_unit',
      'subscription_interval_count',
      'subscription_sequence',
      'status',
      'ordered_at',
      'total',
      'refunded_amount',
    ])
    .where('workspace_id', '=', workspaceId)
    .where('subscription_id', 'is not', null)
    .where('ordered_at', '<=', asOf)
    .orderBy('ordered_at')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    subscriptionId: r.subscription_id ?? '',
    plan: r.subscription_plan ?? '',
    unit: r.subscription_interval_unit ?? 'month',
    count: r.subscription_interval_count ?? 1,
    at: r.ordered_at,
    sequence: r.subscription_sequence,
    kind: paymentKind(r.status),
    amount: Number(r.total) - Number(r.refunded_amount),
  }));
}

export interface SubscriptionLtvReport {
  asOf: string;
  plans: PlanLtv[];
}

/** Per plan: subscribers, active, the sBG fit, retention, expected lifetime and LTV (integer yen). */
export async function subscriptionLtv(
  db: Kysely<DB>,
  workspaceId: string,
  options: { asOf?: Date; minSubscribers?: number } = {},
): Promise<SubscriptionLtvReport> {
  const asOf = options.asOf ?? new Date();
  const payments = await readSubscriptionPayments(db, workspaceId, asOf);
  return {
    asOf: asOf.toISOString(),
    plans: subscriptionLtvByPlan(payments, {
      asOf,
      ...(options.minSubscribers === undefined ? {} : { minSubscribers: options.minSubscribers }),
    }),
  };
}
