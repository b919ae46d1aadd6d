// Following a redirect link: verify the token, record the click at the business time, answer
// the URL that was in the message.
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { transact } from '../db/transact.ts';
import { appendDomainEvents } from '../domain-events/append.ts';
import { notFound } from '../shared/domain-error.ts';
import type { SecretBox } from '../shared/secret-box.ts';
import { linkKey, readLinkToken, verifyLinkToken } from './link-token.ts';

/**
 * Records one click and returns the target URL. A malformed or forged token, or one whose link
 * or customer is gone (erased), is `not_found`: all read the same, so a probe learns nothing.
 */
export async function recordClick(
  db: Kysely<DB>,
  secrets: SecretBox,
  token: string,
  now: Date,
): Promise<string> {
  const read = readLinkToken(token);
  if (!read) throw notFound('link');
  const { workspaceId, linkId, customerId } = read.payload;
  const exists = await db
    .selectFrom('link_key')
    .select('workspace_id')
    .where('workspace_id', '=', workspaceId)
    .executeTakeFirst();
  if (!exists) throw notFound('link');
  if (!verifyLinkToken(await linkKey(db, secrets, workspaceId), read.signed, read.sig))
    throw notFound('link');
  const link = await db
    .selectFrom('tracked_link')
    .select(['url', 'origin'])
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', linkId)
    .executeTakeFirst();
  if (!link) throw notFound('link');
  const customer = await db
    .selectFrom('customer')
    .select('id')
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', customerId)
    .executeTakeFirst();
  // An erased customer's link still takes the reader where the message said; nothing is recorded.
  // The click is also a domain event (at the business time), in the same transaction: a journey
  // branch waiting for a click of its message wakes on it (journeys/click-branch.ts).
  if (customer)
    await transact(db, async (tx) => {
      await tx
        .insertInto('link_click')
        .values({ workspace_id: workspaceId, link_id: linkId, customer_id: customerId, clicked_at: now })
        .execute();
      await appendDomainEvents(tx, workspaceId, [
        { type: 'message.clicked', customerId, occurredAt: now, payload: { origin: link.origin, linkId } },
      ]);
    });
  return link.url;
}
