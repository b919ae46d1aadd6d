import { type Kysely, sql, type Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import { DomainError, invalid, notFound } from '../shared/domain-error.ts';
import { isEmailAddress } from '../shared/email.ts';
import { assertMayActOn, assertMayGrant, type MemberManager } from './member-rules.ts';
import { hashToken, newWorkspaceToken, workspaceOfToken } from './one-time-tokens.ts';
import { hashPassword, passwordProblem } from './passwords.ts';
import type { Role } from './workspace-tables.ts';
import './auth-tables.ts';

/** How long an invitation link works. */
export const INVITATION_TTL_MS = 7 * 24 * 60 * 60 * 1000;
const PREFIX = 'kzi';

export function normaliseEmail(email: string, path = 'email'): string {
  const normalised = email.trim().toLowerCase();
  if (!isEmailAddress(normalised)) throw invalid([{ path, message: 'not an email address' }]);
  return normalised;
}

export interface CreatedInvitation {
  id: number;
  email: string;
  role: Role;
  /** Shown once; only its hash is stored. */
  token: string;
  expiresAt: Date;
}

/**
 * Invites an email (with or without an account) to the workspace with a role. Nothing is granted
 * until the invitation is accepted: an existing user accepts while logged in as themselves; a new
 * user sets their own password. Inviting the same email again replaces the earlier link.
 */
export async function createInvitation(
  db: Kysely<DB>,
  manager: MemberManager,
  input: { email: string; role: Role },
): Promise<CreatedInvitation> {
  const email = normaliseEmail(input.email);
  assertMayGrant(manager, input.role);
  const token = newWorkspaceToken(PREFIX, manager.workspaceId);
  const expiresAt = new Date(Date.now() + INVITATION_TTL_MS);
  return db.transaction().execute(async (tx) => {
    const member = await tx
      .selectFrom('workspace_member as m')
      .innerJoin('app_user as u', 'u.id', 'm.user_id')
      .select('m.role')
      .where('m.workspace_id', '=', manager.workspaceId)
      .where(sql`lower(u.email)`, '=', email)
      .executeTakeFirst();
    if (member) throw new DomainError('conflict', `${email} is already a member (role ${member.role})`);
    await revokePending(tx, manager.workspaceId, email);
    const row = await tx
      .insertInto('member_invitation')
      .values({
        workspace_id: manager.workspaceId,
        email,
        role: input.role,
        token_hash: hashToken(token),
        invited_by: manager.actor,
        expires_at: expiresAt,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { id: row.id, email, role: input.role, token, expiresAt };
  });
}

async function revokePending(tx: Transaction<DB>, workspaceId: string, email: string): Promise<void> {
  await tx
    .updateTable('member_invitation')
    .set({ revoked_at: sql`now()` })
    .where('workspace_id', '=', workspaceId)
    .where('email', '=', email)
    .where('accepted_at', 'is', null)
    .where('revoked_at', 'is', null)
    .execute();
}

/** Pending invitations (not accepted, not revoked), expired ones included with their expiry. */
export async function listInvitations(db: Kysely<DB>, workspaceId: string) {
  const rows = await db
    .selectFrom('member_invitation')
    .select([
      'id',
      'email',
      'role',
      'invited_by as invitedBy',
      'created_at as createdAt',
      'expires_at as expiresAt',
    ])
    .where('workspace_id', '=', workspaceId)
    .where('accepted_at', 'is', null)
    .where('revoked_at', 'is', null)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    ...r,
    createdAt: r.createdAt.toISOString(),
    expiresAt: r.expiresAt.toISOString(),
  }));
}

export async function revokeInvitation(db: Kysely<DB>, manager: MemberManager, id: number): Promise<void> {
  const invitation = await db
    .selectFrom('member_invitation')
    .select('role')
    .where('workspace_id', '=', manager.workspaceId)
    .where('id', '=', id)
    .where('accepted_at', 'is', null)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  if (!invitation) throw notFound(`invitation ${id}`);
  assertMayActOn(manager, invitation);
  await db
    .updateTable('member_invitation')
    .set({ revoked_at: sql`now()` })
    .where('workspace_id', '=', manager.workspaceId)
    .where('id', '=', id)
    .execute();
}

/** The pending invitation a token names, with its workspace's name; throws when unusable. */
async function findInvitation(db: Kysely<DB>, token: string) {
  const workspaceId = workspaceOfToken(PREFIX, token);
  const row = workspaceId
    ? await db
        .selectFrom('member_invitation as i')
        .innerJoin('workspace as w', 'w.id', 'i.workspace_id')
        .select([
          'i.workspace_id',
          'i.id',
          'i.email',
          'i.role',
          'i.expires_at',
          'i.accepted_at',
          'i.revoked_at',
          'w.name',
        ])
        .where('i.workspace_id', '=', workspaceId)
        .where('i.token_hash', '=', hashToken(token))
        .executeTakeFirst()
    : undefined;
  if (!row) throw notFound('invitation');
  if (row.accepted_at) throw new DomainError('conflict', 'this invitation has already been used');
  if (row.revoked_at) throw new DomainError('conflict', 'this invitation was withdrawn; ask for a new one');
  if (row.expires_at.getTime() <= Date.now())
    throw new DomainError('conflict', 'this invitation has expired; ask for a new one');
  return row;
}

/** What an invitation offers, for the page that accepts it. */
export async function inspectInvitation(db: Kysely<DB>, token: string) {
  const row = await findInvitation(db, token);
  return {
    workspaceId: row.workspace_id,
    workspaceName: row.name,
    email: row.email,
    role: row.role,
    expiresAt: row.expires_at.toISOString(),
  };
}

/** Marks the invitation used and adds the membership, once (a second acceptance finds it used). */
async function redeem(
  tx: Transaction<DB>,
  invitation: { workspace_id: string; id: number; role: Role },
  userId: string,
) {
  const claimed = await tx
    .updateTable('member_invitation')
    .set({ accepted_at: sql`now()`, accepted_by: userId })
    .where('workspace_id', '=', invitation.workspace_id)
    .where('id', '=', invitation.id)
    .where('accepted_at', 'is', null)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  if (claimed.numUpdatedRows === 0n)
    throw new DomainError('conflict', 'this invitation has already been used');
  await tx
    .insertInto('workspace_member')
    .values({ workspace_id: invitation.workspace_id, user_id: userId, role: invitation.role })
    .onConflict((oc) => oc.columns(['workspace_id', 'user_id']).doNothing())
    .execute();
}

/**
 * An existing user accepts an invitation addressed to their email, while logged in as themselves:
 * the token alone is not enough (it went to whoever the admin gave it to), and neither is the
 * login (a stranger who created the account first does not have the token).
 */
export async function acceptInvitation(
  db: Kysely<DB>,
  token: string,
  userId: string,
): Promise<{ workspaceId: string; role: Role }> {
  const invitation = await findInvitation(db, token);
  const user = await db
    .selectFrom('app_user')
    .select('email')
    .where('id', '=', userId)
    .executeTakeFirstOrThrow();
  if (user.email.toLowerCase() !== invitation.email)
    throw new DomainError(
      'forbidden',
      `this invitation is for ${invitation.email}; log in as that user to accept it`,
    );
  await db.transaction().execute((tx) => redeem(tx, invitation, userId));
  return { workspaceId: invitation.workspace_id, role: invitation.role };
}

const accountExists = (email: string) =>
  new DomainError(
    'conflict',
    `an account for ${email} already exists; log in as that user and accept the invitation`,
  );

/**
 * A person without an account accepts: they choose their own password (and name), and the
 * account is created for the invited email. Refused when the email already has an account: its
 * owner must log in and accept, so an invitation can never set an existing user's password.
 */
export async function acceptInvitationAsNewUser(
  db: Kysely<DB>,
  token: string,
  input: { password: string; name?: string },
): Promise<{ userId: string; workspaceId: string; role: Role }> {
  const invitation = await findInvitation(db, token);
  const weak = passwordProblem(input.password, { email: invitation.email });
  if (weak) throw invalid([{ path: 'password', message: weak }]);
  // Checked before hashing to spare the hash; the insert below still settles a race.
  const existing = await db
    .selectFrom('app_user')
    .select('id')
    .where(sql`lower(email)`, '=', invitation.email)
    .executeTakeFirst();
  if (existing) throw accountExists(invitation.email);
  const passwordHash = await hashPassword(input.password, { mayRefuse: true });
  const userId = await db.transaction().execute(async (tx) => {
    const created = await tx
      .insertInto('app_user')
      .values({ email: invitation.email, name: input.name?.trim() ?? '', password_hash: passwordHash })
      .onConflict((oc) => oc.expression(sql`lower(email)`).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!created) throw accountExists(invitation.email);
    await redeem(tx, invitation, created.id);
    return created.id;
  });
  return { userId, workspaceId: invitation.workspace_id, role: invitation.role };
}
