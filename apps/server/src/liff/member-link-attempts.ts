// Failed attempts to link a shop account from the LIFF app, limited per LINE user and per member
// number typed. A four-digit proof has 10,000 values: five tries a day per LINE user, and ten a
// day per member number whoever types it (so many LINE accounts cannot share the guessing of one
// account), keep a guess at about one in a thousand a day.
import { sql, type Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import { DomainError } from '../shared/domain-error.ts';

export const LINK_WINDOW_MS = 24 * 60 * 60 * 1000;
export const LINK_FAILURES_PER_USER = 5;
export const LINK_FAILURES_PER_MEMBER_NO = 10;

export interface LinkAttemptKey {
  workspaceId: string;
  lineUserId: string;
  /** The member number as typed, normalised: it need not exist. */
  memberNoKey: string;
}

/**
 * Serialises the attempts of one LINE user and of one member number (transaction advisory locks,
 * in a fixed order), then refuses with 429 when either has used up its failures in the window.
 * The refusal is the same whether the member number exists or not.
 */
export async function assertLinkAttemptsLeft(tx: Transaction<DB>, key: LinkAttemptKey, now: Date) {
  const locks = [
    `kizuna.liff-link.user:${key.workspaceId}:${key.lineUserId}`,
    `kizuna.liff-link.no:${key.workspaceId}:${key.memberNoKey}`,
  ].sort();
  for (const lock of locks) await sql`select pg_advisory_xact_lock(hashtext(${lock}))`.execute(tx);
  const since = new Date(now.getTime() - LINK_WINDOW_MS);
  await tx
    .deleteFrom('liff_link_attempt')
    .where('workspace_id', '=', key.workspaceId)
    .where('line_user_id', '=', key.lineUserId)
    .where('attempted_at', '<=', since)
    .execute();
  const failures = (column: 'line_user_id' | 'member_no_key', value: string) =>
    tx
      .selectFrom('liff_link_attempt')
      .select('attempted_at')
      .where('workspace_id', '=', key.workspaceId)
      .where(column, '=', value)
      .where('succeeded', '=', false)
      .where('attempted_at', '>', since)
      .orderBy('attempted_at', 'desc')
      .execute();
  const byUser = await failures('line_user_id', key.lineUserId);
  const byNumber = await failures('member_no_key', key.memberNoKey);
  const limited = [
    byUser.length >= LINK_FAILURES_PER_USER ? byUser[LINK_FAILURES_PER_USER - 1] : undefined,
    byNumber.length >= LINK_FAILURES_PER_MEMBER_NO ? byNumber[LINK_FAILURES_PER_MEMBER_NO - 1] : undefined,
  ].filter((row) => row !== undefined);
  if (!limited.length) return;
  // Allowed again once the oldest failure that counts leaves the window.
  const until = Math.max(...limited.map((row) => row.attempted_at.getTime() + LINK_WINDOW_MS));
  const retryAfterSeconds = Math.max(1, Math.ceil((until - now.getTime()) / 1000));
  throw new DomainError(
    'rate_limited',
    `too many attempts to link a member account; try again in ${Math.ceil(retryAfterSeconds / 3600)} h or ask the shop`,
    [],
    { retryAfterSeconds, reason: 'link_attempts_exceeded' },
  );
}

export async function recordLinkAttempt(
  tx: Transaction<DB>,
  key: LinkAttemptKey,
  now: Date,
  succeeded: boolean,
): Promise<void> {
  await tx
    .insertInto('liff_link_attempt')
    .values({
      workspace_id: key.workspaceId,
      line_user_id: key.lineUserId,
      member_no_key: key.memberNoKey,
      attempted_at: now,
      succeeded,
    })
    .execute();
}
