import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';

/** Sessions end after this long without a request… */
export const SESSION_IDLE_MS = 24 * 60 * 60 * 1000;
/** …and in any case this long after login. */
export const SESSION_ABSOLUTE_MS = 7 * 24 * 60 * 60 * 1000;

const hashToken = (token: string) => createHash('sha256').update(token).digest('base64url');

export interface SessionPrincipal {
  userId: string;
  csrfToken: string;
}

/** Starts a session: a fresh 256-bit token (rotated at every login) and its CSRF token. */
export async function createSession(
  db: Kysely<DB>,
  userId: string,
): Promise<{ token: string; csrfToken: string }> {
  const token = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(24).toString('base64url');
  await db
    .insertInto('user_session')
    .values({
      token_hash: hashToken(token),
      user_id: userId,
      csrf_token: csrfToken,
      expires_at: new Date(Date.now() + SESSION_ABSOLUTE_MS),
    })
    .execute();
  return { token, csrfToken };
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
    .returning(['user_id', 'csrf_token'])
    .executeTakeFirst();
  return row ? { userId: row.user_id, csrfToken: row.csrf_token } : undefined;
}

export async function endSession(db: Kysely<DB>, token: string): Promise<void> {
  await db.deleteFrom('user_session').where('token_hash', '=', hashToken(token)).execute();
}
