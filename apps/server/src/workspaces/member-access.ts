import { type Kysely, sql } from 'kysely';
import type { DB } from '../db/schema.ts';
import { DomainError } from '../shared/domain-error.ts';
import type { SessionPrincipal } from './sessions.ts';
import type { Role } from './workspace-tables.ts';
import './auth-tables.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// The member list shows when someone last worked in the workspace; writing that on every request
// would double the writes of a busy console, so it is refreshed at most this often.
const LAST_SEEN_GRANULARITY_MS = 5 * 60 * 1000;

/**
 * The workspace a session acts in: the one named by the `x-kizuna-workspace` header, or the
 * user's only one. Read on every request, so removing a member or revoking their sessions for
 * this workspace takes effect at their next request.
 */
export async function sessionMembership(
  db: Kysely<DB>,
  session: SessionPrincipal,
  wanted: string | undefined,
  now = new Date(),
): Promise<{ workspaceId: string; role: Role }> {
  if (wanted !== undefined && !UUID.test(wanted))
    throw new DomainError('forbidden', 'no access to that workspace');
  let query = db
    .selectFrom('workspace_member')
    .select(['workspace_id', 'role', 'last_seen_at'])
    // Compared in SQL: the database keeps microseconds, JavaScript dates only milliseconds.
    .select(
      sql<boolean>`coalesce(sessions_not_before > (select created_at from user_session where id = ${session.sessionId}), false)`.as(
        'revoked',
      ),
    )
    .where('user_id', '=', session.userId)
    .limit(2);
  if (wanted !== undefined) query = query.where('workspace_id', '=', wanted);
  const rows = await query.execute();
  const membership = rows.length === 1 ? rows[0] : undefined;
  if (!membership) {
    throw new DomainError(
      'forbidden',
      rows.length > 1
        ? 'choose a workspace with the x-kizuna-workspace header'
        : 'no access to that workspace',
    );
  }
  if (membership.revoked)
    throw new DomainError('unauthenticated', 'your sessions for this workspace were ended; log in again');
  if (
    !membership.last_seen_at ||
    now.getTime() - membership.last_seen_at.getTime() > LAST_SEEN_GRANULARITY_MS
  ) {
    await db
      .updateTable('workspace_member')
      .set({ last_seen_at: now })
      .where('workspace_id', '=', membership.workspace_id)
      .where('user_id', '=', session.userId)
      .execute();
  }
  return { workspaceId: membership.workspace_id, role: membership.role };
}
