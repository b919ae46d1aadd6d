import { type Kysely, type RawBuilder, sql, type Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { ConsentChannel, ConsentPurpose, ConsentStatus } from './customer-tables.ts';

export interface ConsentChange {
  channel: ConsentChannel;
  purpose: ConsentPurpose;
  status: ConsentStatus;
  source: string;
  actor?: string | null;
  occurredAt?: Date;
}

/**
 * Records a consent change as history and updates the current state. A change that repeats the
 * current status is not recorded again, so retried requests leave one history row. A change older
 * than the current state is kept in history but does not override the newer state.
 * Returns whether a history row was written.
 */
export async function recordConsent(
  tx: Kysely<DB>,
  workspaceId: string,
  customerId: number,
  change: ConsentChange,
): Promise<boolean> {
  const occurredAt = change.occurredAt ?? new Date();
  const current = await tx
    .selectFrom('customer_consent')
    .select(['status', 'occurred_at'])
    .where('workspace_id', '=', workspaceId)
    .where('customer_id', '=', customerId)
    .where('channel', '=', change.channel)
    .where('purpose', '=', change.purpose)
    .executeTakeFirst();
  if (current && current.status === change.status) return false;
  // An older change that the newer state outranks is kept once: re-sending it (a re-imported
  // file) finds its history row and records nothing again.
  if (current && current.occurred_at > occurredAt) {
    const same = await tx
      .selectFrom('consent_event')
      .select('id')
      .where('workspace_id', '=', workspaceId)
      .where('customer_id', '=', customerId)
      .where('channel', '=', change.channel)
      .where('purpose', '=', change.purpose)
      .where('occurred_at', '=', occurredAt)
      .where('status', '=', change.status)
      .where('source', '=', change.source)
      .executeTakeFirst();
    if (same) return false;
  }
  await tx
    .insertInto('consent_event')
    .values({
      workspace_id: workspaceId,
      customer_id: customerId,
      channel: change.channel,
      purpose: change.purpose,
      status: change.status,
      source: change.source,
      actor: change.actor ?? null,
      occurred_at: occurredAt,
    })
    .execute();
  await tx
    .insertInto('customer_consent')
    .values({
      workspace_id: workspaceId,
      customer_id: customerId,
      channel: change.channel,
      purpose: change.purpose,
      status: change.status,
      source: change.source,
      occurred_at: occurredAt,
    })
    .onConflict((oc) =>
      oc
        .columns(['workspace_id', 'customer_id', 'channel', 'purpose'])
        .doUpdateSet({
          status: (eb) => eb.ref('excluded.status'),
          source: (eb) => eb.ref('excluded.source'),
          occurred_at: (eb) => eb.ref('excluded.occurred_at'),
        })
        .where(sql<boolean>`excluded.occurred_at >= customer_consent.occurred_at`),
    )
    .execute();
  return true;
}

export interface ConsentHistoryEntry {
  channel: ConsentChannel;
  purpose: ConsentPurpose;
  status: ConsentStatus;
  source: string;
  actor: string | null;
  occurredAt: string;
  recordedAt: string;
}

/** A customer's consent history, oldest first. */
export async function consentHistory(
  db: Kysely<DB>,
  workspaceId: string,
  customerId: number,
): Promise<ConsentHistoryEntry[]> {
  const rows = await db
    .selectFrom('consent_event')
    .select(['channel', 'purpose', 'status', 'source', 'actor', 'occurred_at', 'recorded_at'])
    .where('workspace_id', '=', workspaceId)
    .where('customer_id', '=', customerId)
    .orderBy('occurred_at')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    channel: r.channel,
    purpose: r.purpose,
    status: r.status,
    source: r.source,
    actor: r.actor,
    occurredAt: r.occurred_at.toISOString(),
    recordedAt: r.recorded_at.toISOString(),
  }));
}

/**
 * The consent part of a customer merge: per channel and purpose the newest state among the
 * survivor and the merged records becomes the survivor's, and the merged records' states go.
 * (Their history, consent_event, moves with the other rows.)
 */
export async function mergeConsentStates(
  tx: Transaction<DB>,
  workspaceId: string,
  survivorId: number,
  mergedIds: number[],
): Promise<void> {
  await sql`
    insert into customer_consent (workspace_id, customer_id, channel, purpose, status, source, occurred_at)
    select distinct on (channel, purpose) workspace_id, ${survivorId}::bigint, channel, purpose, status, source, occurred_at
    from customer_consent
    where workspace_id = ${workspaceId} and customer_id = any(${mergedIds}::bigint[])
    order by channel, purpose, occurred_at desc
    on conflict (workspace_id, customer_id, channel, purpose) do update
      set status = excluded.status, source = excluded.source, occurred_at = excluded.occurred_at
      where excluded.occurred_at > customer_consent.occurred_at`.execute(tx);
  await tx
    .deleteFrom('customer_consent')
    .where('workspace_id', '=', workspaceId)
    .where('customer_id', 'in', mergedIds)
    .execute();
}

/**
 * The current consent, for one channel and purpose, of the customer on each row of a query whose
 * table `alias` has `workspace_id` and `customer_id` columns: a scalar subquery that is a
 * primary-key probe per row, so a read of many rows (a send's outbox) neither scans all consents
 * nor makes a second round trip. Null where nothing was recorded.
 */
export function consentOfRow(
  alias: string,
  channel: ConsentChannel,
  purpose: ConsentPurpose,
): RawBuilder<ConsentStatus | null> {
  return sql<ConsentStatus | null>`(select cc.status from customer_consent cc
    where cc.workspace_id = ${sql.ref(`${alias}.workspace_id`)} and cc.customer_id = ${sql.ref(`${alias}.customer_id`)}
      and cc.channel = ${channel} and cc.purpose = ${purpose})`;
}

/**
 * Records `status` for each customer that has no state yet for the channel and purpose, in two
 * statements for a whole batch; customers with a state (granted or revoked, from any source)
 * are left as they are. An import's "did not opt in" uses this: it is worth recording where
 * nothing is known, but it is not an opt-out and must not take back a consent given elsewhere.
 * Returns the customers it recorded for.
 */
export async function recordConsentWhereUnset(
  tx: Transaction<DB>,
  workspaceId: string,
  change: Omit<ConsentChange, 'occurredAt' | 'actor'>,
  customers: readonly { customerId: number; occurredAt: Date }[],
): Promise<number[]> {
  if (!customers.length) return [];
  // A customer listed more than once (an import sees them on several orders) is recorded once,
  // at their first entry's instant, as a repeated change records nothing in recordConsent.
  const { rows } = await sql<{ customer_id: number; occurred_at: Date }>`
    insert into customer_consent (workspace_id, customer_id, channel, purpose, status, source, occurred_at)
    select distinct on (w.customer_id) ${workspaceId}::uuid, w.customer_id, ${change.channel}, ${change.purpose}, ${change.status}, ${change.source}, w.occurred_at
    from unnest(${customers.map((c) => c.customerId)}::bigint[], ${customers.map((c) => c.occurredAt.toISOString())}::timestamptz[])
      with ordinality as w(customer_id, occurred_at, n)
    order by w.customer_id, w.n
    on conflict (workspace_id, customer_id, channel, purpose) do nothing
    returning customer_id, occurred_at`.execute(tx);
  if (!rows.length) return [];
  await tx
    .insertInto('consent_event')
    .values(
      rows.map((r) => ({
        workspace_id: workspaceId,
        customer_id: r.customer_id,
        channel: change.channel,
        purpose: change.purpose,
        status: change.status,
        source: change.source,
        occurred_at: r.occurred_at,
      })),
    )
    .execute();
  return rows.map((r) => Number(r.customer_id));
}
