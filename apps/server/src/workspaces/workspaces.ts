import type { Kysely } from 'kysely';
import type { DB, Role } from '../db/schema.ts';
import { invalid, mapPgError } from '../shared/domain-error.ts';
import { isEmailAddress } from '../shared/email.ts';
import { API_KEY_SCOPES, type ApiKeyScope, createApiKey } from './api-keys.ts';
import { generatePassword, hashPassword, passwordProblem, verifyPassword } from './passwords.ts';

export const ROLES: readonly Role[] = ['owner', 'admin', 'marketer', 'staff', 'viewer'];

export async function createWorkspace(db: Kysely<DB>, name: string): Promise<{ id: string }> {
  if (!name.trim()) throw invalid([{ path: 'name', message: 'must not be empty' }]);
  return db.insertInto('workspace').values({ name: name.trim() }).returning('id').executeTakeFirstOrThrow();
}

/** Creates a user, or finds the existing one with that email, and gives them a role in the workspace. */
export async function addMember(
  db: Kysely<DB>,
  input: { workspaceId: string; email: string; password: string; role: Role; name?: string },
): Promise<{ userId: string; created: boolean }> {
  const email = input.email.trim().toLowerCase();
  const problems = [];
  if (!isEmailAddress(email)) problems.push({ path: 'email', message: 'not an email address' });
  const weak = passwordProblem(input.password);
  if (weak) problems.push({ path: 'password', message: weak });
  if (problems.length) throw invalid(problems);
  const passwordHash = await hashPassword(input.password);
  return db.transaction().execute(async (tx) => {
    const existing = await tx
      .selectFrom('app_user')
      .select('id')
      .where(tx.fn('lower', ['email']), '=', email)
      .executeTakeFirst();
    const userId =
      existing?.id ??
      (
        await tx
          .insertInto('app_user')
          .values({ email, name: input.name ?? '', password_hash: passwordHash })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    await tx
      .insertInto('workspace_member')
      .values({ workspace_id: input.workspaceId, user_id: userId, role: input.role })
      .execute()
      .catch((error: unknown) => mapPgError(error, `membership of ${email}`));
    return { userId, created: !existing };
  });
}

/** Checks an email and password; the same answer (undefined) for an unknown user and a wrong password. */
export async function checkLogin(
  db: Kysely<DB>,
  email: string,
  password: string,
): Promise<{ userId: string } | undefined> {
  const user = await db
    .selectFrom('app_user')
    .select(['id', 'password_hash'])
    .where(db.fn('lower', ['email']), '=', email.trim().toLowerCase())
    .executeTakeFirst();
  // Hash even when the user is unknown, so response time does not reveal which emails exist.
  const ok = await verifyPassword(password, user?.password_hash ?? DUMMY_HASH);
  return user && ok ? { userId: user.id } : undefined;
}

const DUMMY_HASH = 'scrypt$17$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

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
  /** The generated password, or null when the email already had an account (its password stands). */
  ownerPassword: string | null;
}

/** `kizuna init`: a workspace, its owner (with a generated password) and a full-scope API key. */
export async function initWorkspace(
  db: Kysely<DB>,
  input: { name: string; ownerEmail: string; ownerPassword?: string; scopes?: ApiKeyScope[] },
): Promise<InitResult> {
  const ownerPassword = input.ownerPassword ?? generatePassword();
  const { id: workspaceId } = await createWorkspace(db, input.name);
  try {
    const { userId, created } = await addMember(db, {
      workspaceId,
      email: input.ownerEmail,
      password: ownerPassword,
      role: 'owner',
    });
    const { token } = await createApiKey(db, {
      workspaceId,
      name: 'default',
      scopes: input.scopes ?? [...API_KEY_SCOPES],
      createdBy: userId,
    });
    return {
      workspaceId,
      apiKey: token,
      ownerEmail: input.ownerEmail.trim().toLowerCase(),
      ownerPassword: created ? ownerPassword : null,
    };
  } catch (error) {
    // Leave no workspace without an owner behind.
    await db.deleteFrom('workspace').where('id', '=', workspaceId).execute();
    throw error;
  }
}
