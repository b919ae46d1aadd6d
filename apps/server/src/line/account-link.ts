import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { mergeCustomers } from '../customers/merge-customers.ts';
import { attachIdentities, findByIdentities } from '../customers/upsert-customer.ts';
import type { DB } from '../db/schema.ts';
import { notFound } from '../shared/domain-error.ts';
import type { OpenChannel } from './channels.ts';
import type { Handled, StoredEvent } from './friend-lifecycle.ts';
import { lineClients } from './line-client.ts';
import { lineCall } from './line-errors.ts';
import { recordLineEvent } from './line-events.ts';
import type { LineHostAllowance } from './line-hosts.ts';

/** Nonces live as long as LINE's link token (10 minutes). */
const NONCE_TTL_MS = 10 * 60 * 1000;

/**
 * Step 1: a link token for a LINE user (a friend), to put in the URL of the shop's login page.
 * LINE's refusal (not a friend, rate limit) is a 4xx for the caller (line-errors.ts).
 */
export async function issueLinkToken(
  channel: OpenChannel,
  hosts: LineHostAllowance,
  lineUserId: string,
): Promise<string> {
  const client = lineClients(channel, hosts).api;
  const { linkToken } = await lineCall(() => client.issueLinkToken(lineUserId));
  return linkToken;
}

/**
 * Step 2, after the shop's site has authenticated its customer: an unpredictable one-time nonce
 * stored with that customer, and the LINE dialog URL to redirect the user to. The LINE user id
 * is never taken from the client; it arrives with the accountLink webhook.
 */
export async function startAccountLink(
  db: Kysely<DB>,
  channel: OpenChannel,
  customerId: number,
  linkToken: string,
): Promise<{ nonce: string; redirectUrl: string; expiresAt: string }> {
  const customer = await db
    .selectFrom('customer')
    .select('id')
    .where('workspace_id', '=', channel.workspaceId)
    .where('id', '=', customerId)
    .where('merged_into_id', 'is', null)
    .executeTakeFirst();
  if (!customer) throw notFound('customer');
  const nonce = randomBytes(24).toString('base64url');
  const expiresAt = new Date(Date.now() + NONCE_TTL_MS);
  await db
    .insertInto('line_account_link')
    .values({
      workspace_id: channel.workspaceId,
      nonce,
      channel_id: channel.id,
      customer_id: customerId,
      expires_at: expiresAt,
    })
    .execute();
  // LINE's dialog lives on access.line.me; a sandbox serves it on its own base URL.
  const dialogBase =
    channel.apiBaseUrl === 'https://api.line.me' ? 'https://access.line.me' : channel.apiBaseUrl;
  const query = new URLSearchParams({ linkToken, nonce });
  return {
    nonce,
    redirectUrl: `${dialogBase}/dialog/bot/accountLink?${query}`,
    expiresAt: expiresAt.toISOString(),
  };
}

/**
 * Step 3, the accountLink webhook: a live nonce of this channel binds the LINE user to the
 * nonce's customer. If the LINE user already had a customer record (from a follow), the two are
 * merged. A used, expired or unknown nonce links nothing.
 */
export async function handleAccountLink(tx: Kysely<DB>, event: StoredEvent): Promise<Handled> {
  const link = (event.payload.link ?? {}) as { result?: string; nonce?: string };
  if (typeof link.nonce !== 'string' || !event.lineUserId) return { outcome: 'no_nonce', customerIds: [] };
  const row = await tx
    .selectFrom('line_account_link')
    .selectAll()
    .where('workspace_id', '=', event.workspaceId)
    .where('nonce', '=', link.nonce)
    .where('channel_id', '=', event.channelId)
    .forUpdate()
    .executeTakeFirst();
  if (!row || row.used_at) return { outcome: 'unknown_nonce', customerIds: [] };
  const ok = link.result === 'ok' && row.expires_at.getTime() > event.occurredAt.getTime();
  await tx
    .updateTable('line_account_link')
    .set({
      used_at: new Date(),
      line_user_id: event.lineUserId,
      result: ok ? 'ok' : (link.result ?? 'failed'),
    })
    .where('workspace_id', '=', event.workspaceId)
    .where('nonce', '=', link.nonce)
    .execute();
  if (!ok) return { outcome: link.result === 'ok' ? 'expired_nonce' : 'link_failed', customerIds: [] };
  const identity = { kind: 'line' as const, namespace: '', value: event.lineUserId };
  const holders = await findByIdentities(tx, event.workspaceId, [identity]);
  const { survivorId, mergedIds } = await mergeCustomers(
    tx,
    event.workspaceId,
    [row.customer_id, ...holders],
    {
      identities: [identity],
      source: 'line_account_link',
    },
  );
  await attachIdentities(tx, event.workspaceId, survivorId, [identity]);
  await tx
    .updateTable('line_friend')
    .set({ customer_id: survivorId })
    .where('workspace_id', '=', event.workspaceId)
    .where('channel_id', '=', event.channelId)
    .where('line_user_id', '=', event.lineUserId)
    .execute();
  await recordLineEvent(
    tx,
    event.workspaceId,
    survivorId,
    event.webhookEventId,
    'account_linked',
    event.occurredAt,
    {},
  );
  return { outcome: 'linked', customerIds: [survivorId, ...mergedIds] };
}
