import { type Kysely, sql } from 'kysely';
import type { DB } from '../db/schema.ts';

/** Stores a LINE webhook event as a Kizuna event (`custom:line.*`), once per webhookEventId. */
export async function recordLineEvent(
  tx: Kysely<DB>,
  workspaceId: string,
  customerId: number,
  webhookEventId: string,
  type: string,
  occurredAt: Date,
  properties: Record<string, unknown>,
): Promise<void> {
  await sql`
    insert into event (workspace_id, external_id, customer_id, type, occurred_at, properties)
    values (${workspaceId}, ${`line:${webhookEventId}`}, ${customerId}, ${`custom:line.${type}`}, ${occurredAt}, ${JSON.stringify(properties)}::jsonb)
    on conflict (workspace_id, external_id) where external_id is not null do nothing`.execute(tx);
}
