// The channel a `line_then_email` send node uses for each customer: LINE when the customer is a
// reachable LINE friend (a LINE userId, and LINE marketing consent granted: a block is recorded
// there as `blocked`, a withdrawal as `revoked`), else email. The choice is made when the step
// runs, in the engine's transaction, and recorded on the step with its reason; the messaging core
// still decides each message at send time (consent, suppression, the cap, quiet hours), so a
// customer who blocks between the step and the delivery is skipped by the core, not mailed.
import { sql, type Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';

/**
 * Why a customer went to a channel: `line_friend` (LINE); for email, what made LINE unreachable:
 * `no_line_channel` (the workspace has none), `no_line_identity`, `line_no_consent`,
 * `line_revoked`, `line_blocked`.
 */
export type ChannelReason =
  | 'line_friend'
  | 'no_line_channel'
  | 'no_line_identity'
  | 'line_no_consent'
  | 'line_revoked'
  | 'line_blocked';

export interface ChannelChoice {
  channel: 'line' | 'email';
  reason: ChannelReason;
}

/** Decides from a customer's LINE facts (shared by the engine and the preview). */
export function chooseChannel(
  hasLineChannel: boolean,
  lineUserId: unknown,
  consent: string | null,
): ChannelChoice {
  if (!hasLineChannel) return { channel: 'email', reason: 'no_line_channel' };
  if (lineUserId === null || lineUserId === undefined)
    return { channel: 'email', reason: 'no_line_identity' };
  if (consent === 'granted') return { channel: 'line', reason: 'line_friend' };
  if (consent === 'revoked') return { channel: 'email', reason: 'line_revoked' };
  if (consent === 'blocked') return { channel: 'email', reason: 'line_blocked' };
  return { channel: 'email', reason: 'line_no_consent' };
}

/** Each customer's channel, in one statement for the whole group (merged-away customers: email). */
export async function chooseChannels(
  tx: Transaction<DB>,
  workspaceId: string,
  hasLineChannel: boolean,
  customerIds: readonly number[],
): Promise<Map<number, ChannelChoice>> {
  if (!hasLineChannel)
    return new Map(customerIds.map((id) => [id, chooseChannel(false, null, null)] as const));
  const { rows } = await sql<{ customer_id: number; line: string | null; consent: string | null }>`
    select u.customer_id,
      (select value from customer_identity i where i.workspace_id = ${workspaceId}
        and i.customer_id = u.customer_id and i.kind = 'line' order by value limit 1) as line,
      (select cc.status from customer_consent cc where cc.workspace_id = ${workspaceId}
        and cc.customer_id = u.customer_id and cc.channel = 'line' and cc.purpose = 'marketing') as consent
    from unnest(${[...customerIds]}::bigint[]) u(customer_id)`.execute(tx);
  return new Map(rows.map((r) => [Number(r.customer_id), chooseChannel(true, r.line, r.consent)] as const));
}
