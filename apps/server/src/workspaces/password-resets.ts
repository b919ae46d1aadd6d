import { type Kysely, sql } from 'kysely';
import type { DB } from '../db/schema.ts';
import { DomainError, invalid, notFound } from '../shared/domain-error.ts';
import { assertMayActOn, type MemberManager } from './member-rules.ts';
import { hashToken, newToken } from './one-time-tokens.ts';
import { hashPassword, passwordProblem } from './passwords.ts';
import { endUserSessions } from './sessions.ts';
import './auth-tables.ts';

/**
 * Password resets are one-time links; nobody types another user's new password.
 *
 * Who may issue one:
 * - the operator, with `kizuna users reset-password --email` (they hold the database anyway);
 * - an owner or admin, for a member of their workspace who belongs to NO other workspace. A user
 *   who also works in workspace A cannot be reset by an admin of B, or B's admin could take over
 *   A's account. Admins cannot reset owners. The rule is checked again when the link is used.
 * Using a link sets the password and ends all of the user's sessions.
 */
export const RESET_TTL_MS = 24 * 60 * 60 * 1000;
const PREFIX = 'kzr';

async function issue(db: Kysely<DB>, userId: string, issuedBy: string, workspaceId: string | null) {
  const token = newToken(PREFIX);
  const expiresAt = new Date(Date.now() + RESET_TTL_MS);
  await db.transaction().execute(async (tx) => {
    // One live link per user: a new one replaces the last.
    await tx
      .deleteFrom('password_reset')
      .where('user_id', '=', userId)
      .where('used_at', 'is', null)
      .execute();
    await tx
      .insertInto('password_reset')
      .values({
        token_hash: hashToken(token),
        user_id: userId,
        issued_in_workspace: workspaceId,
        issued_by: issuedBy,
        expires_at: expiresAt,
      })
      .execute();
  });
  return { token, expiresAt };
}

async function workspacesOf(db: Kysely<DB>, userId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('workspace_member')
    .select('workspace_id')
    .where('user_id', '=', userId)
    .execute();
  return rows.map((r) => r.workspace_id);
}

/** An owner or admin issues a reset link for a member who belongs to this workspace alone. */
export async function issueMemberPasswordReset(
  db: Kysely<DB>,
  manager: MemberManager,
  userId: string,
): Promise<{ token: string; expiresAt: Date }> {
  const member = await db
    .selectFrom('workspace_member')
    .select('role')
    .where('workspace_id', '=', manager.workspaceId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  if (!member) throw notFound(`member ${userId}`);
  assertMayActOn(manager, member);
  const workspaces = await workspacesOf(db, userId);
  if (workspaces.length !== 1)
    throw new DomainError(
      'forbidden',
      'this user also belongs to another workspace; they can change their password themselves, or the operator can run `kizuna users reset-password`',
    );
  return issue(db, userId, manager.actor, manager.workspaceId);
}

/** The operator issues a reset link for any account (`kizuna users reset-password`). */
export async function issueOperatorPasswordReset(
  db: Kysely<DB>,
  email: string,
  operator: string,
): Promise<{ token: string; expiresAt: Date; userId: string }> {
  const user = await db
    .selectFrom('app_user')
    .select('id')
    .where(sql`lower(email)`, '=', email.trim().toLowerCase())
    .executeTakeFirst();
  if (!user) throw notFound(`user ${email.trim()}`);
  return { ...(await issue(db, user.id, operator, null)), userId: user.id };
}

/** Sets a new password with a reset link and ends every session of that user. */
export async function completePasswordReset(
  db: Kysely<DB>,
  token: string,
  password: string,
): Promise<{ email: string }> {
  const reset = await db
    .selectFrom('password_reset as r')
    .innerJoin('app_user as u', 'u.id', 'r.user_id')
    .select(['r.token_hash', 'r.user_id', 'r.issued_in_workspace', 'r.expires_at', 'r.used_at', 'u.email'])
    .where('r.token_hash', '=', hashToken(token))
    .executeTakeFirst();
  if (!reset || reset.used_at || reset.expires_at.getTime() <= Date.now())
    throw notFound('password reset link (unknown, used or expired)');
  if (reset.issued_in_workspace) {
    const workspaces = await workspacesOf(db, reset.user_id);
    if (workspaces.length !== 1 || workspaces[0] !== reset.issued_in_workspace)
      throw new DomainError(
        'forbidden',
        'this link is no longer valid for this account; ask the operator for a new one',
      );
  }
  const weak = passwordProblem(password, { email: reset.email });
  if (weak) throw invalid([{ path: 'password', message: weak }]);
  const passwordHash = await hashPassword(password, { mayRefuse: true });
  await db.transaction().execute(async (tx) => {
    const used = await tx
      .updateTable('password_reset')
      .set({ used_at: sql`now()` })
      .where('token_hash', '=', reset.token_hash)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    if (used.numUpdatedRows === 0n) throw notFound('password reset link (unknown, used or expired)');
    await tx
      .updateTable('app_user')
      .set({ password_hash: passwordHash })
      .where('id', '=', reset.user_id)
      .execute();
    await endUserSessions(tx, reset.user_id);
  });
  return { email: reset.email };
}

/** Drops reset links that expired more than a day ago. */
export async function prunePasswordResets(db: Kysely<DB>): Promise<number> {
  const result = await db
    .deleteFrom('password_reset')
    .where('expires_at', '<', sql<Date>`now() - interval '1 day'`)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
