// Member sessions: what a LIFF app holds after POST /v1/liff/session. A member session is for one
// customer of one workspace and nothing else: it is not a staff session (another cookie-less
// token, its own table) and not an API key (another prefix), so neither kind of credential is
// accepted where the other is expected. Short-lived: the app re-posts a fresh ID token to renew.
import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { liveCustomerId } from '../customers/get-customer.ts';
import type { DB } from '../db/schema.ts';
import './liff-tables.ts';

/** 30 minutes: a LIFF page is short-lived; LINE's ID tokens themselves live an hour. */
export const MEMBER_SESSION_TTL_MS = 30 * 60 * 1000;

// `kzm_<workspace id without dashes>_<secret>`: the workspace travels in the token (as in an API
// key), so the lookup is by the table's full key.
const TOKEN_PATTERN = /^kzm_([0-9a-f]{32})_([A-Za-z0-9_-]{43})$/;
const hashToken = (token: string) => createHash('sha256').update(token).digest('base64url');
const dashed = (hex: string) =>
  `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;

/** The member a session token stands for. */
export interface MemberPrincipal {
  workspaceId: string;
  customerId: number;
  channelId: string;
  lineUserId: string;
  expiresAt: Date;
  tokenHash: string;
}

/** Whether a bearer token is shaped like a member session token (else: an API key or junk). */
export function isMemberToken(token: string): boolean {
  return token.startsWith('kzm_');
}

export async function openMemberSession(
  db: Kysely<DB>,
  input: { workspaceId: string; customerId: number; channelId: string; lineUserId: string; now: Date },
): Promise<{ token: string; expiresAt: Date }> {
  const token = `kzm_${input.workspaceId.replace(/-/g, '')}_${randomBytes(32).toString('base64url')}`;
  const expiresAt = new Date(input.now.getTime() + MEMBER_SESSION_TTL_MS);
  // The customer's expired sessions go as a new one opens, so the table holds live ones only.
  await db
    .deleteFrom('liff_member_session')
    .where('workspace_id', '=', input.workspaceId)
    .where('customer_id', '=', input.customerId)
    .where('expires_at', '<=', input.now)
    .execute();
  await db
    .insertInto('liff_member_session')
    .values({
      workspace_id: input.workspaceId,
      token_hash: hashToken(token),
      customer_id: input.customerId,
      channel_id: input.channelId,
      line_user_id: input.lineUserId,
      created_at: input.now,
      expires_at: expiresAt,
    })
    .execute();
  return { token, expiresAt };
}

/**
 * The live session a token names, its customer followed through merges (a member whose record
 * was merged into another reads the survivor's card); undefined when unknown or expired.
 */
export async function authenticateMemberSession(
  db: Kysely<DB>,
  token: string,
  now: Date,
): Promise<MemberPrincipal | undefined> {
  const match = TOKEN_PATTERN.exec(token);
  if (!match) return undefined;
  const workspaceId = dashed(match[1]!);
  const tokenHash = hashToken(token);
  const row = await db
    .selectFrom('liff_member_session')
    .select(['customer_id', 'channel_id', 'line_user_id', 'expires_at'])
    .where('workspace_id', '=', workspaceId)
    .where('token_hash', '=', tokenHash)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  if (!row) return undefined;
  const customerId = await liveCustomerId(db, workspaceId, Number(row.customer_id));
  if (customerId === undefined) return undefined;
  return {
    workspaceId,
    customerId,
    channelId: row.channel_id,
    lineUserId: row.line_user_id,
    expiresAt: row.expires_at,
    tokenHash,
  };
}

export async function endMemberSession(db: Kysely<DB>, member: MemberPrincipal): Promise<void> {
  await db
    .deleteFrom('liff_member_session')
    .where('workspace_id', '=', member.workspaceId)
    .where('token_hash', '=', member.tokenHash)
    .execute();
}
