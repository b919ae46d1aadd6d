import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import './auth-tables.ts';

/** Sessions end after this long without a request… */
export const SESSION_IDLE_MS = 24 * 60 * 60 * 1000;
/** …and in any case this long after login. */
export const SESSION_ABSOLUTE_MS = 7 * 24 * 60 * 60 * 1000;

const hashToken = (token: string) => createHash('sha256').update(token).digest('base64url');

export interface SessionPrincipal {
  userId: string;
  /** The session's public id (what the user sees in their list of sessions). */
  sessionId: string;
  csrfToken: string;
  createdAt: Date;
}

/** What a user sees to recognise a session: where it came from, never its token. */
export interface SessionDevice {
  userAgent?: string | undefined;
  clientIp?: string | undefined;
}

/** Starts a session: a fresh 256-bit token (rotated at every login) and its CSRF token. */
export async function createSession(
  db: Kysely<DB>,
  userId: string,
  device: SessionDevice = {},
): Promise<{ token: string; csrfToken: string; sessionId: string }> {
  const token = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(24).toString('base64url');
  const row = await db
    .insertInto('user_session')
    .values({
      token_hash: hashToken(token),
      user_id: userId,
      csrf_token: csrfToken,
      expires_at: new Date(Date.now() + SESSION_ABSOLUTE_MS),
      user_agent: device.userAgent?.slice(0, 300) ?? null,
      client_ip: device.clientIp ?? null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { token, csrfToken, sessionId: row.id };
}

/** Resolves a session cookie, sliding its idle window; undefined when unknown or expired. */
export async function authenticateSession(
  db: Kysely<DB>,
  token: string,
): Promise<SessionPrincipal | undefined> {
  const now = new Date();
  const row = await db
    .updateTable('user_session')
    .set({ last_seen_at: now })
    .where('token_hash', '=', hashToken(token))
    .where('expires_at', '>', now)
    .where('last_seen_at', '>', new Date(now.getTime() - SESSION_IDLE_MS))
    .returning(['user_id', 'csrf_token', 'id', 'created_at'])
    .executeTakeFirst();
  return row
    ? { userId: row.user_id, csrfToken: row.csrf_token, sessionId: row.id, createdAt: row.created_at }
    : undefined;
}

export async function endSession(db: Kysely<DB>, token: string): Promise<void> {
  await db.deleteFrom('user_session').where('token_hash', '=', hashToken(token)).execute();
}

/** A user's live sessions, newest first; `current` marks the one asking. */
export async function listSessions(db: Kysely<DB>, userId: string, currentId?: string) {
  const now = new Date();
  const rows = await db
    .selectFrom('user_session')
    .select(['id', 'created_at', 'last_seen_at', 'expires_at', 'user_agent', 'client_ip'])
    .where('user_id', '=', userId)
    .where('expires_at', '>', now)
    .where('last_seen_at', '>', new Date(now.getTime() - SESSION_IDLE_MS))
    .orderBy('created_at', 'desc')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    current: r.id === currentId,
    createdAt: r.created_at.toISOString(),
    lastSeenAt: r.last_seen_at.toISOString(),
    expiresAt: r.expires_at.toISOString(),
    userAgent: r.user_agent,
    clientIp: r.client_ip,
  }));
}

/** Ends one of a user's sessions by its public id; false when the user has no such session. */
export async function endSessionById(db: Kysely<DB>, userId: string, sessionId: string): Promise<boolean> {
  const result = await db
    .deleteFrom('user_session')
    .where('user_id', '=', userId)
    .where('id', '=', sessionId)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** Ends every session of a user, except `keepId` when given (the one that asked). */
export async function endUserSessions(db: Kysely<DB>, userId: string, keepId?: string): Promise<number> {
  let query = db.deleteFrom('user_session').where('user_id', '=', userId);
  if (keepId) query = query.where('id', '<>', keepId);
  const result = await query.executeTakeFirst();
  return Number(result.numDeletedRows);
}
