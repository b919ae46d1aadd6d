import { type Kysely, sql, type Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import { notFound } from '../shared/domain-error.ts';
import { assertMayActOn, assertMayChange, type MemberManager } from './member-rules.ts';
import { endUserSessions } from './sessions.ts';
import type { Role } from './workspace-tables.ts';
import './auth-tables.ts';

/** The workspace's members with their role and when they last used it. */
export async function listMembers(db: Kysely<DB>, workspaceId: string) {
  const rows = await db
    .selectFrom('workspace_member as m')
    .innerJoin('app_user as u', 'u.id', 'm.user_id')
    .select(['m.user_id', 'u.email', 'u.name', 'm.role', 'm.created_at', 'm.last_seen_at'])
    .where('m.workspace_id', '=', workspaceId)
    .orderBy('m.created_at')
    .execute();
  return rows.map((r) => ({
    userId: r.user_id,
    email: r.email,
    name: r.name,
    role: r.role,
    joinedAt: r.created_at.toISOString(),
    lastSeenAt: r.last_seen_at?.toISOString() ?? null,
  }));
}

/**
 * Locks the workspace (so two owners demoting each other cannot leave it with none), then reads
 * the target member and the number of owners.
 */
async function lockMember(tx: Transaction<DB>, workspaceId: string, userId: string) {
  await tx.selectFrom('workspace').select('id').where('id', '=', workspaceId).forUpdate().execute();
  const members = await tx
    .selectFrom('workspace_member')
    .select(['user_id', 'role'])
    .where('workspace_id', '=', workspaceId)
    .where((eb) => eb.or([eb('user_id', '=', userId), eb('role', '=', 'owner')]))
    .execute();
  const target = members.find((m) => m.user_id === userId);
  if (!target) throw notFound(`member ${userId}`);
  return { target, owners: members.filter((m) => m.role === 'owner').length };
}

export async function changeMemberRole(
  db: Kysely<DB>,
  manager: MemberManager,
  userId: string,
  role: Role,
): Promise<{ userId: string; role: Role }> {
  return db.transaction().execute(async (tx) => {
    const { target, owners } = await lockMember(tx, manager.workspaceId, userId);
    assertMayChange(manager, target, role, owners);
    await tx
      .updateTable('workspace_member')
      .set({ role })
      .where('workspace_id', '=', manager.workspaceId)
      .where('user_id', '=', userId)
      .execute();
    return { userId, role };
  });
}

/** Revokes the active API keys a user created in a workspace; returns the keys revoked. */
async function revokeKeysCreatedBy(tx: Transaction<DB>, workspaceId: string, userId: string) {
  return tx
    .updateTable('api_key')
    .set({ revoked_at: sql`now()` })
    .where('workspace_id', '=', workspaceId)
    .where('created_by', '=', userId)
    .where('revoked_at', 'is', null)
    .returning(['id', 'name'])
    .execute();
}

export interface RemovedMember {
  userId: string;
  /** The API keys the member had created here, now revoked (unless kept). */
  apiKeysRevoked: { id: number; name: string }[];
  /** True when the user belonged to no other workspace, so all their sessions were ended. */
  loggedOut: boolean;
}

/**
 * Removes a member. Their access to this workspace ends at once: every request re-reads the
 * membership. The API keys they created here are revoked too (they saw each secret once and may
 * have kept it), unless `keepApiKeys` (for a planned handover; rotate those keys soon). A user
 * left without any workspace is logged out everywhere; one who still belongs to other
 * workspaces keeps their sessions there.
 */
export async function removeMember(
  db: Kysely<DB>,
  manager: MemberManager,
  userId: string,
  options: { keepApiKeys?: boolean } = {},
): Promise<RemovedMember> {
  return db.transaction().execute(async (tx) => {
    const { target, owners } = await lockMember(tx, manager.workspaceId, userId);
    assertMayChange(manager, target, undefined, owners);
    await tx
      .deleteFrom('workspace_member')
      .where('workspace_id', '=', manager.workspaceId)
      .where('user_id', '=', userId)
      .execute();
    const apiKeysRevoked = options.keepApiKeys
      ? []
      : await revokeKeysCreatedBy(tx, manager.workspaceId, userId);
    const elsewhere = await tx
      .selectFrom('workspace_member')
      .select('workspace_id')
      .where('user_id', '=', userId)
      .executeTakeFirst();
    if (!elsewhere) await endUserSessions(tx, userId);
    return { userId, apiKeysRevoked, loggedOut: !elsewhere };
  });
}

/**
 * Ends a member's access without removing them: their sessions stop reaching this workspace
 * (they log in again to continue; sessions are per user, so their other workspaces are
 * untouched), and/or the API keys they created here are revoked.
 */
export async function revokeMemberAccess(
  db: Kysely<DB>,
  manager: MemberManager,
  userId: string,
  what: { sessions: boolean; apiKeys: boolean },
): Promise<{ sessionsRevoked: boolean; apiKeysRevoked: { id: number; name: string }[] }> {
  return db.transaction().execute(async (tx) => {
    const { target } = await lockMember(tx, manager.workspaceId, userId);
    assertMayActOn(manager, target);
    if (what.sessions) {
      await tx
        .updateTable('workspace_member')
        .set({ sessions_not_before: sql`now()` })
        .where('workspace_id', '=', manager.workspaceId)
        .where('user_id', '=', userId)
        .execute();
    }
    const apiKeysRevoked = what.apiKeys ? await revokeKeysCreatedBy(tx, manager.workspaceId, userId) : [];
    return { sessionsRevoked: what.sessions, apiKeysRevoked };
  });
}
