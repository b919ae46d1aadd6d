// Appending to the domain event log, always inside the transaction of the change the events
// announce: a rolled-back change leaves no event, and a committed one always has its events.
import { sql, type Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { DomainEventInput, DomainEventType } from './event-map.ts';
import './domain-event-table.ts';

/**
 * Appends events in one statement, whatever their number, in the order given. An event whose
 * `dedupeKey` the workspace already holds is skipped (so is a repeat of a key within the batch).
 * Returns how many were appended.
 *
 * @example
 * await appendDomainEvents(tx, workspaceId, [
 *   { type: 'line.friend_blocked', customerId, payload: { channelId, lineUserId } },
 * ]);
 */
export async function appendDomainEvents<K extends DomainEventType>(
  tx: Transaction<DB>,
  workspaceId: string,
  events: readonly DomainEventInput<K>[],
): Promise<number> {
  if (!events.length) return 0;
  // The batch travels as one JSON array: one parameter, so neither the parameter limit nor the
  // statement's text grows with the batch. `xid` and `recorded_at` come from the column defaults.
  const result = await sql`
    insert into domain_event (workspace_id, customer_id, type, payload, occurred_at, dedupe_key)
    select ${workspaceId}::uuid, (e->>'customerId')::bigint, e->>'type', e->'payload',
      coalesce((e->>'occurredAt')::timestamptz, now()), e->>'dedupeKey'
    from jsonb_array_elements(${JSON.stringify(events)}::jsonb) with ordinality as t(e, n)
    order by n
    on conflict (workspace_id, dedupe_key) where dedupe_key is not null do nothing`.execute(tx);
  return Number(result.numAffectedRows ?? 0);
}
