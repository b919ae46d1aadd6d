// Loyalty events for journeys: stored in Kizuna's own `event` table as `custom:loyalty.*`, with an
// external id that makes each one idempotent (the expiry job may see the same lot twice).
import { sql, type Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';

export type LoyaltyEventType =
  | 'points_expiring'
  | 'points_expired'
  | 'stamp_card_one_to_go'
  | 'stamp_card_completed'
  | 'tier_changed'
  | 'coupon_granted';

export async function recordLoyaltyEvent(
  tx: Transaction<DB>,
  workspaceId: string,
  customerId: number,
  type: LoyaltyEventType,
  externalId: string,
  properties: Record<string, unknown>,
  occurredAt: Date = new Date(),
): Promise<void> {
  await sql`
    insert into event (workspace_id, external_id, customer_id, type, occurred_at, properties)
    values (${workspaceId}, ${`loyalty:${type}:${externalId}`}, ${customerId}, ${`custom:loyalty.${type}`},
      ${occurredAt}, ${JSON.stringify(properties)}::jsonb)
    on conflict (workspace_id, external_id) where external_id is not null do nothing`.execute(tx);
}
