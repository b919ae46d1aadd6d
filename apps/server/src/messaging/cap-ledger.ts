// The frequency cap's ledger: which customers are at their cap, decided under a per-customer lock
// so that no two plans (of any sends, on any workers) both see room for the same last message.
import { type Kysely, sql } from 'kysely';
import type { ConsentChannel } from '../customers/customer-tables.ts';
import type { DB } from '../db/schema.ts';
import type { FrequencyCap } from './send-policy.ts';

/** The rule a capped recipient's decision names: `cap:line:2/168h`. */
export function capRule(channel: ConsentChannel, cap: FrequencyCap): string {
  return `cap:${channel}:${cap.max}/${cap.windowHours}h`;
}

/**
 * Locks the customers' cap rows (creating missing ones) in customer order and returns those who
 * already have `cap.max` marketing messages planned in the window ending at `now`. Runs in the
 * plan's transaction; the locks hold until it commits, after `recordCapped` has written the
 * messages this plan makes, so the next plan of these customers counts them.
 *
 * Why it cannot overshoot: a plan counts a customer's ledger only after taking the customer's
 * row lock, and writes its own entries before releasing it (at commit). Under READ COMMITTED each
 * statement sees every commit made before it started, so a plan that waited for the lock counts
 * the entries of the plan it waited for. Locks are taken in ascending customer id by every plan,
 * so two plans never wait for each other in a cycle.
 */
export async function lockAndFindCapped(
  tx: Kysely<DB>,
  workspaceId: string,
  channel: ConsentChannel,
  cap: FrequencyCap,
  customerIds: readonly number[],
  now: Date,
): Promise<Set<number>> {
  if (!customerIds.length) return new Set();
  const ids = [...new Set(customerIds)].sort((a, b) => a - b);
  // The upsert's do-update takes each existing row's lock; new rows are locked by their insert.
  // Rows are inserted in the order given (ascending), which keeps the lock order.
  await sql`
    insert into messaging_cap_lock (workspace_id, channel, customer_id)
    select ${workspaceId}::uuid, ${channel}, id from unnest(${ids}::bigint[]) with ordinality as u(id, n) order by n
    on conflict (workspace_id, channel, customer_id) do update set customer_id = excluded.customer_id`.execute(
    tx,
  );
  const since = new Date(now.getTime() - cap.windowHours * 3_600_000);
  const { rows } = await sql<{ customer_id: string | number }>`
    select customer_id from messaging_cap_ledger
    where workspace_id = ${workspaceId} and channel = ${channel} and customer_id = any(${ids}::bigint[])
      and planned_at > ${since.toISOString()}::timestamptz and planned_at <= ${now.toISOString()}::timestamptz
    group by customer_id having count(*) >= ${cap.max}`.execute(tx);
  return new Set(rows.map((r) => Number(r.customer_id)));
}

/** Records the messages a plan made on a capped channel (same transaction, under the locks). */
export async function recordCapped(
  tx: Kysely<DB>,
  workspaceId: string,
  channel: ConsentChannel,
  sendId: number,
  planned: readonly { seq: number; customerId: number }[],
  now: Date,
): Promise<void> {
  if (!planned.length) return;
  await sql`
    insert into messaging_cap_ledger (workspace_id, channel, customer_id, planned_at, send_id, seq)
    select ${workspaceId}::uuid, ${channel}, customer_id, ${now.toISOString()}::timestamptz, ${sendId}::bigint, seq
    from unnest(${planned.map((p) => p.customerId)}::bigint[], ${planned.map((p) => p.seq)}::int[]) as u(customer_id, seq)`.execute(
    tx,
  );
}
