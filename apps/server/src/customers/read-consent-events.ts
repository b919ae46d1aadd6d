// A customer's consent changes, newest first, a page at a time (the karte timeline reads them).
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { instantText, type KeyBound, keyBefore } from '../shared/page-cursor.ts';
import type { ConsentChannel, ConsentPurpose, ConsentStatus } from './customer-tables.ts';

export interface ConsentChangeView {
  channel: ConsentChannel;
  purpose: ConsentPurpose;
  status: ConsentStatus;
  source: string;
  /** Who recorded it: `api_key:<id>`, `user:<id>`, or null for Kizuna itself. */
  actor: string | null;
  occurredAt: string;
}

/** Up to `limit` consent_event rows of one customer, newest first (occurred_at, id). */
export async function readConsentEvents(
  db: Kysely<DB>,
  workspaceId: string,
  customerId: number,
  page: { limit: number; before?: KeyBound | undefined },
): Promise<{ key: KeyBound; consent: ConsentChangeView }[]> {
  const rows = await db
    .selectFrom('consent_event as c')
    .select(['c.id', 'c.channel', 'c.purpose', 'c.status', 'c.source', 'c.actor', 'c.occurred_at'])
    .select(instantText('c.occurred_at').as('key_at'))
    .where('c.workspace_id', '=', workspaceId)
    .where('c.customer_id', '=', customerId)
    .$if(page.before !== undefined, (q) => q.where(keyBefore('c.occurred_at', 'c.id', page.before!)))
    .orderBy('c.occurred_at', 'desc')
    .orderBy('c.id', 'desc')
    .limit(page.limit)
    .execute();
  return rows.map((r) => ({
    key: { at: r.key_at, id: String(r.id) },
    consent: {
      channel: r.channel,
      purpose: r.purpose,
      status: r.status,
      source: r.source,
      actor: r.actor,
      occurredAt: r.occurred_at.toISOString(),
    },
  }));
}
