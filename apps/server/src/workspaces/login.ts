import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { DomainError, invalid } from '../shared/domain-error.ts';
import type { HashPriority } from './hash-gate.ts';
import { chargeLoginAttempt, refundLoginAttempt } from './login-throttle.ts';
import { hashPassword, passwordProblem, verifyPassword } from './passwords.ts';
import { endUserSessions } from './sessions.ts';

// A valid hash of a random password: checked when the email is unknown, so that the response
// time does not tell which emails have accounts.
const DUMMY_HASH = 'scrypt$17$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

async function passwordMatches(db: Kysely<DB>, email: string, password: string, priority: HashPriority) {
  const user = await db
    .selectFrom('app_user')
    .select(['id', 'email', 'password_hash'])
    .where(db.fn('lower', ['email']), '=', email.trim().toLowerCase())
    .executeTakeFirst();
  const ok = await verifyPassword(password, user?.password_hash ?? DUMMY_HASH, { mayRefuse: true, priority });
  return user && ok ? user : undefined;
}

/**
 * Checks a password for an account, throttled per client and per account (login-throttle.ts) and
 * through the process's hashing gate. Unknown emails and wrong passwords get the same answer.
 */
export async function verifyAccountPassword(
  db: Kysely<DB>,
  input: {
    email: string;
    password: string;
    clientIp: string;
    /** The browser holds a device cookie for this account (device-cookies.ts). */
    knownDevice?: boolean;
  },
): Promise<{ userId: string; email: string }> {
  const charge = await chargeLoginAttempt(db, input.email, input.clientIp);
  let user: Awaited<ReturnType<typeof passwordMatches>>;
  try {
    // A client that has been failing waits behind everyone else for the hash, and a browser this
    // account logged in from before goes first (hash-gate.ts).
    const priority = input.knownDevice ? 'trusted' : charge.clean ? 'high' : 'low';
    user = await passwordMatches(db, input.email, input.password, priority);
  } catch (error) {
    // The gate was full: no password was checked, so nothing counts against this client.
    if (error instanceof DomainError && error.code === 'rate_limited')
      await refundLoginAttempt(db, charge.keys);
    throw error;
  }
  if (!user) throw new DomainError('unauthenticated', 'wrong email or password');
  await refundLoginAttempt(db, charge.keys);
  return { userId: user.id, email: user.email };
}

/**
 * Changes the logged-in user's password. The current password is checked like a login (a stolen
 * session must not become a way to guess it), and every other session of the user ends.
 */
export async function changeOwnPassword(
  db: Kysely<DB>,
  input: {
    userId: string;
    sessionId: string;
    currentPassword: string;
    newPassword: string;
    clientIp: string;
  },
): Promise<void> {
  const user = await db
    .selectFrom('app_user')
    .select('email')
    .where('id', '=', input.userId)
    .executeTakeFirstOrThrow();
  const weak = passwordProblem(input.newPassword, { email: user.email });
  if (weak) throw invalid([{ path: 'newPassword', message: weak }]);
  try {
    await verifyAccountPassword(db, {
      email: user.email,
      password: input.currentPassword,
      clientIp: input.clientIp,
    });
  } catch (error) {
    if (error instanceof DomainError && error.code === 'unauthenticated')
      throw invalid([{ path: 'currentPassword', message: 'is not your current password' }]);
    throw error;
  }
  const passwordHash = await hashPassword(input.newPassword, { mayRefuse: true });
  await db.transaction().execute(async (tx) => {
    await tx
      .updateTable('app_user')
      .set({ password_hash: passwordHash })
      .where('id', '=', input.userId)
      .execute();
    await endUserSessions(tx, input.userId, input.sessionId);
  });
}
