import { type Kysely, sql } from 'kysely';
import type { DB } from '../db/schema.ts';
import { DomainError, invalid, mapPgError } from '../shared/domain-error.ts';
import { API_KEY_SCOPES, type ApiKeyScope, createApiKey } from './api-keys.ts';
import { createInvitation, normaliseEmail } from './invitations.ts';
import { generatePassword, hashPassword, passwordProblem } from './passwords.ts';
import type { Role } from './workspace-tables.ts';

export const ROLES: readonly Role[] = ['owner', 'admin', 'marketer', 'staff', 'viewer'];

export async function createWorkspace(db: Kysely<DB>, name: string): Promise<{ id: string }> {
  if (!name.trim()) throw invalid([{ path: 'name', message: 'must not be empty' }]);
  return db.insertInto('workspace').values({ name: name.trim() }).returning('id').executeTakeFirstOrThrow();
}

/**
 * Creates a NEW user with a password and makes them a member: for the demo brand and the first
 * start's generated owner, where Kizuna itself chooses the password. Refuses an email that already
 * has an account: an existing account is never attached silently (that let an admin of one
 * workspace plant a password for a future member of another); invite it instead.
 */
export async function addMember(
  db: Kysely<DB>,
  input: { workspaceId: string; email: string; password: string; role: Role; name?: string },
): Promise<{ userId: string }> {
  const email = normaliseEmail(input.email);
  const weak = passwordProblem(input.password, { email });
  if (weak) throw invalid([{ path: 'password', message: weak }]);
  const passwordHash = await hashPassword(input.password);
  return db.transaction().execute(async (tx) => {
    const created = await tx
      .insertInto('app_user')
      .values({ email, name: input.name ?? '', password_hash: passwordHash })
      .onConflict((oc) => oc.expression(sql`lower(email)`).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!created)
      throw new DomainError('conflict', `an account for ${email} already exists; invite it instead`);
    await tx
      .insertInto('workspace_member')
      .values({ workspace_id: input.workspaceId, user_id: created.id, role: input.role })
      .execute()
      .catch((error: unknown) => mapPgError(error, `membership of ${email}`));
    return { userId: created.id };
  });
}

async function accountExists(db: Kysely<DB>, email: string): Promise<boolean> {
  const user = await db
    .selectFrom('app_user')
    .select('id')
    .where(sql`lower(email)`, '=', email)
    .executeTakeFirst();
  return user !== undefined;
}

export async function membershipsOf(
  db: Kysely<DB>,
  userId: string,
): Promise<{ workspaceId: string; name: string; role: Role }[]> {
  const rows = await db
    .selectFrom('workspace_member as m')
    .innerJoin('workspace as w', 'w.id', 'm.workspace_id')
    .select(['m.workspace_id', 'w.name', 'm.role'])
    .where('m.user_id', '=', userId)
    .orderBy('w.created_at')
    .execute();
  return rows.map((r) => ({ workspaceId: r.workspace_id, name: r.name, role: r.role }));
}

export interface InitResult {
  workspaceId: string;
  apiKey: string;
  ownerEmail: string;
  /** The generated password of a new owner, shown once; null when the owner was invited instead. */
  ownerPassword: string | null;
  /** The owner's invitation (its token is shown once), when the owner was invited. */
  ownerInvitation: { token: string; expiresAt: Date } | null;
}

/**
 * `kizuna init` and the first start: a workspace, its owner and a full-scope API key.
 *
 * The owner follows the same rules as any member. An email that already has an account is
 * invited (the user logs in and accepts); it is never attached silently. A new email gets a
 * generated password (`owner: 'password'`, for the operator's own first login) or an invitation
 * with which its person sets their own password (`owner: 'invite'`, `kizuna init --email`).
 */
export async function initWorkspace(
  db: Kysely<DB>,
  input: { name: string; ownerEmail: string; owner?: 'password' | 'invite'; scopes?: ApiKeyScope[] },
): Promise<InitResult> {
  const ownerEmail = normaliseEmail(input.ownerEmail, 'ownerEmail');
  const { id: workspaceId } = await createWorkspace(db, input.name);
  const actor = 'cli:init';
  try {
    let ownerPassword: string | null = null;
    let ownerInvitation: InitResult['ownerInvitation'] = null;
    let ownerId: string | undefined;
    if ((input.owner ?? 'password') === 'password' && !(await accountExists(db, ownerEmail))) {
      ownerPassword = generatePassword();
      ownerId = (
        await addMember(db, { workspaceId, email: ownerEmail, password: ownerPassword, role: 'owner' })
      ).userId;
    } else {
      const manager = { workspaceId, rank: 'owner', actor } as const;
      const { token, expiresAt } = await createInvitation(db, manager, { email: ownerEmail, role: 'owner' });
      ownerInvitation = { token, expiresAt };
    }
    const { token } = await createApiKey(db, {
      workspaceId,
      name: 'default',
      scopes: input.scopes ?? [...API_KEY_SCOPES],
      ...(ownerId ? { createdBy: ownerId } : {}),
    });
    return { workspaceId, apiKey: token, ownerEmail, ownerPassword, ownerInvitation };
  } catch (error) {
    // Leave no workspace without an owner behind.
    await db.deleteFrom('workspace').where('id', '=', workspaceId).execute();
    throw error;
  }
}
