// What happens to a message after it left: unsubscribes, opens, bounces and complaints, each
// tied to its outbox row through a signed token, and applied to consent and suppression.
import { type Kysely, sql } from 'kysely';
import { recordConsent } from '../customers/consent.ts';
import type { DB } from '../db/schema.ts';
import { transact } from '../db/transact.ts';
import type { SecretBox } from '../shared/secret-box.ts';
import type { EmailEventKind } from './email-tables.ts';
import { type MessageRef, type TokenPurpose, tokenWorkspace, verifyMessageToken } from './message-token.ts';
import { openSender } from './sender.ts';

/** A message named by a valid token: its outbox row's customer and address. */
export interface TokenMessage extends MessageRef {
  customerId: number;
  address: string | null;
}

/** The message a token names, or undefined for a forged, mistyped or foreign token. */
export async function resolveToken(
  db: Kysely<DB>,
  secrets: SecretBox,
  purpose: TokenPurpose,
  token: string,
): Promise<TokenMessage | undefined> {
  const workspaceId = tokenWorkspace(token);
  if (!workspaceId) return undefined;
  const sender = await openSender(db, secrets, workspaceId);
  const ref = sender && verifyMessageToken(sender.tokenKey, purpose, token);
  if (!ref) return undefined;
  const row = await db
    .selectFrom('message_outbox')
    .select(['customer_id', 'address'])
    .where('workspace_id', '=', ref.workspaceId)
    .where('send_id', '=', ref.sendId)
    .where('seq', '=', ref.seq)
    .executeTakeFirst();
  return row ? { ...ref, customerId: Number(row.customer_id), address: row.address } : undefined;
}

/** How an unsubscribe arrived, recorded as the consent change's source. */
export type UnsubscribeSource = 'email_one_click' | 'email_unsubscribe_page' | 'email_unsubscribe_mailto';

/**
 * Withdraws the customer's email marketing consent at once (RFC 8058 one-click: no login, no
 * confirmation), with the source in consent history. Repeating it changes nothing and records
 * nothing again. Returns whether consent changed.
 */
export async function unsubscribe(
  db: Kysely<DB>,
  message: TokenMessage,
  source: UnsubscribeSource,
  now: Date,
): Promise<boolean> {
  return transact(db, async (tx) => {
    const changed = await recordConsent(tx, message.workspaceId, message.customerId, {
      channel: 'email',
      purpose: 'marketing',
      status: 'revoked',
      source,
      occurredAt: now,
    });
    if (changed) await recordEvent(tx, message, 'unsubscribe', source, now);
    return changed;
  });
}

/** Records one event on a message; a second open of the same message is ignored. */
export async function recordEvent(
  db: Kysely<DB>,
  message: TokenMessage,
  kind: EmailEventKind,
  detail: string | null,
  now: Date,
): Promise<void> {
  await sql`
    insert into email_event (workspace_id, send_id, seq, customer_id, kind, detail, occurred_at)
    values (${message.workspaceId}, ${message.sendId}, ${message.seq}, ${message.customerId}, ${kind}, ${detail}, ${now.toISOString()}::timestamptz)
    on conflict (workspace_id, send_id, seq) where kind = 'open' do nothing`.execute(db);
}

/** Soft bounces of one address that suppress it (a mailbox full for days is as good as gone). */
export const SOFT_BOUNCE_THRESHOLD = 3;

/**
 * Applies a bounce or complaint to the message's address and customer. A hard bounce blocks
 * every email to the customer (recorded on the marketing purpose as `blocked`, which also stops
 * transactional mail); a complaint withdraws marketing consent; soft bounces count, and the
 * `SOFT_BOUNCE_THRESHOLD`th suppresses like a hard bounce. Returns whether the address is now
 * suppressed.
 */
export async function applyFeedback(
  db: Kysely<DB>,
  message: TokenMessage,
  kind: 'hard_bounce' | 'soft_bounce' | 'complaint',
  detail: string,
  now: Date,
): Promise<boolean> {
  return transact(db, async (tx) => {
    await recordEvent(tx, message, kind, detail.slice(0, 1000), now);
    const address = message.address?.toLowerCase();
    if (!address) return false;
    const { rows } = await sql<{ soft_bounces: number; suppressed: boolean }>`
      insert into email_suppression (workspace_id, address, suppressed, reason, soft_bounces, detail, updated_at)
      values (${message.workspaceId}, ${address}, ${kind !== 'soft_bounce'},
        ${kind === 'soft_bounce' ? null : kind}, ${kind === 'soft_bounce' ? 1 : 0}, ${detail.slice(0, 1000)}, ${now.toISOString()}::timestamptz)
      on conflict (workspace_id, address) do update set
        soft_bounces = email_suppression.soft_bounces + excluded.soft_bounces,
        suppressed = email_suppression.suppressed or excluded.suppressed
          or email_suppression.soft_bounces + excluded.soft_bounces >= ${SOFT_BOUNCE_THRESHOLD},
        reason = coalesce(email_suppression.reason, excluded.reason,
          case when email_suppression.soft_bounces + excluded.soft_bounces >= ${SOFT_BOUNCE_THRESHOLD} then 'soft_bounces' end),
        detail = excluded.detail, updated_at = excluded.updated_at
      returning soft_bounces, suppressed`.execute(tx);
    const suppressed = rows[0]?.suppressed ?? false;
    if (!suppressed) return false;
    await recordConsent(tx, message.workspaceId, message.customerId, {
      channel: 'email',
      purpose: 'marketing',
      status: kind === 'complaint' ? 'revoked' : 'blocked',
      source: kind === 'complaint' ? 'email_complaint' : 'email_bounce',
      occurredAt: now,
    });
    return true;
  });
}
