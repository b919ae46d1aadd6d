import { createHash } from 'node:crypto';
import { isIPv6 } from 'node:net';
import { type Kysely, sql } from 'kysely';
import type { DB } from '../db/schema.ts';
import { transact } from '../db/transact.ts';
import { DomainError } from '../shared/domain-error.ts';
import './auth-tables.ts';

/**
 * Slows password guessing without letting a stranger lock an account's owner out.
 *
 * Every password check is charged, before the hash runs, to three counters in `login_throttle`:
 * the client (its address; an IPv6 /64), the account (the email, hashed) and the (account, client)
 * pair. A correct password refunds the charge. A counter that passes its free allowance makes its
 * key wait, doubling with each further failure up to a cap (progressive delay, never a lockout);
 * a key left alone for RESET_MS starts again from zero.
 *
 * - Client: 10 free failures over any emails, then 30 s, 1 min, 2 min … 15 min.
 * - Pair: 5 free failures on one account from one client, then the same delays.
 * - Account: never waits itself, so strangers cannot lock the owner out. When it counts 50
 *   failures (a distributed guess), every client gets 1 free failure on that account instead of
 *   5. A client that has not been failing still gets its first attempt, and the owner's correct
 *   password from their own device still logs in.
 *
 * Counters live in the database, so they hold across API processes and restarts. Checking and
 * charging happen in one transaction that locks the rows, so concurrent attempts cannot all slip
 * through before the first failure is counted.
 */
export interface ThrottleRule {
  /** Failures allowed before any wait. */
  free: number;
  /** The first wait; each further failure doubles it… */
  baseMs: number;
  /** …up to this. */
  capMs: number;
}

export const RESET_MS = 60 * 60 * 1000;
export const CLIENT_RULE: ThrottleRule = { free: 10, baseMs: 30_000, capMs: 15 * 60_000 };
export const PAIR_RULE: ThrottleRule = { free: 5, baseMs: 30_000, capMs: 15 * 60_000 };
/** The pair rule while the account is under a distributed attack. */
export const HOT_PAIR_RULE: ThrottleRule = { ...PAIR_RULE, free: 1 };
export const ACCOUNT_HOT_AT = 50;

export interface ThrottleKeys {
  client: string;
  pair: string;
  account: string;
}

const sha = (text: string) => createHash('sha256').update(text).digest('base64url');

/** IPv4 as is (IPv4-mapped IPv6 unwrapped); IPv6 by its /64, which one subscriber usually holds whole. */
export function clientOf(ip: string): string {
  const bare = ip.replace(/%.*$/, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
  if (mapped) return mapped[1]!;
  if (!isIPv6(bare)) return bare;
  const [head = '', tail] = bare.split('::');
  const headParts = head ? head.split(':') : [];
  const tailParts = tail ? tail.split(':') : [];
  const missing = tail === undefined ? 0 : 8 - headParts.length - tailParts.length;
  const groups = [...headParts, ...Array<string>(missing).fill('0'), ...tailParts];
  return `${groups
    .slice(0, 4)
    .map((g) => Number.parseInt(g || '0', 16).toString(16))
    .join(':')}::/64`;
}

export function throttleKeys(email: string, ip: string): ThrottleKeys {
  const account = sha(`account:${email.trim().toLowerCase()}`);
  const client = clientOf(ip);
  return {
    client: `c:${sha(`client:${client}`)}`,
    pair: `p:${sha(`${account}|${client}`)}`,
    account: `a:${account}`,
  };
}

/** How long a key with `failures` counted, the last at `last`, must still wait at `now`. */
export function waitMs(rule: ThrottleRule, failures: number, last: Date, now: Date): number {
  if (failures < rule.free) return 0;
  const delay = Math.min(rule.capMs, rule.baseMs * 2 ** (failures - rule.free));
  return Math.max(0, last.getTime() + delay - now.getTime());
}

/**
 * Charges one password check to the client, the account and their pair, or throws `rate_limited`
 * (with Retry-After) while the client or the pair must wait. Undo it with `refundLoginAttempt`
 * when the password was right.
 */
export interface LoginCharge {
  keys: ThrottleKeys;
  /** Neither the client nor the pair had failures counted before this attempt. */
  clean: boolean;
}

export async function chargeLoginAttempt(
  db: Kysely<DB>,
  email: string,
  ip: string,
  now = new Date(),
): Promise<LoginCharge> {
  const keys = throttleKeys(email, ip);
  const ordered = [keys.account, keys.client, keys.pair].sort();
  const outcome = await transact(db, async (tx) => {
    const rows = await tx
      .selectFrom('login_throttle')
      .select(['key', 'failures', 'last_failure_at'])
      .where('key', 'in', ordered)
      .orderBy('key')
      .forUpdate()
      .execute();
    const counted = (key: string) => {
      const row = rows.find((r) => r.key === key);
      if (!row || now.getTime() - row.last_failure_at.getTime() >= RESET_MS) return undefined;
      return row;
    };
    const pairRule = (counted(keys.account)?.failures ?? 0) >= ACCOUNT_HOT_AT ? HOT_PAIR_RULE : PAIR_RULE;
    const client = counted(keys.client);
    const pair = counted(keys.pair);
    const wait = Math.max(
      client ? waitMs(CLIENT_RULE, client.failures, client.last_failure_at, now) : 0,
      pair ? waitMs(pairRule, pair.failures, pair.last_failure_at, now) : 0,
    );
    if (wait > 0) return { wait, clean: false };
    await tx
      .insertInto('login_throttle')
      .values(ordered.map((key) => ({ key, failures: 1, last_failure_at: now })))
      .onConflict((oc) =>
        oc.column('key').doUpdateSet({
          failures: sql<number>`case when login_throttle.last_failure_at <= ${new Date(now.getTime() - RESET_MS)}
            then 1 else login_throttle.failures + 1 end`,
          last_failure_at: now,
        }),
      )
      .execute();
    return { wait: 0, clean: !client?.failures && !pair?.failures };
  });
  if (outcome.wait > 0)
    throw new DomainError('rate_limited', 'too many failed logins; try again later', [], {
      retryAfterSeconds: Math.ceil(outcome.wait / 1000),
    });
  return { keys, clean: outcome.clean };
}

/** The password was right: the pair starts afresh, the client and the account get their charge back. */
export async function refundLoginAttempt(db: Kysely<DB>, keys: ThrottleKeys): Promise<void> {
  await db.deleteFrom('login_throttle').where('key', '=', keys.pair).execute();
  await db
    .updateTable('login_throttle')
    .set({ failures: sql<number>`greatest(failures - 1, 0)` })
    .where('key', 'in', [keys.client, keys.account])
    .execute();
}

/** Drops counters nobody has charged for RESET_MS (they would count from zero anyway). */
export async function pruneLoginThrottle(db: Kysely<DB>, now = new Date()): Promise<number> {
  const result = await db
    .deleteFrom('login_throttle')
    .where('last_failure_at', '<', new Date(now.getTime() - RESET_MS))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
