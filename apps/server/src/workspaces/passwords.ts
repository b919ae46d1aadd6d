import { randomBytes, scrypt as scryptCallback, timingSafeEqual } from 'node:crypto';
import { isCommonPassword } from './common-passwords.ts';
import { type HashPriority, PASSWORD_HASHING } from './hash-gate.ts';

// scrypt with N=2^17, r=8, p=1: OWASP's recommended parameters where Argon2id is not available
// (Node 22 has no Argon2 in node:crypto). The parameters are stored with each hash, so they can
// be raised later and old hashes still verify.
const LOG_N = 17;
const R = 8;
const P = 1;
const KEY_LENGTH = 32;
export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 256;

function scrypt(password: string, salt: Buffer, logN: number, r: number, p: number): Promise<Buffer> {
  const N = 2 ** logN;
  return new Promise((resolve, reject) => {
    scryptCallback(
      password.normalize('NFKC'),
      salt,
      KEY_LENGTH,
      { N, r, p, maxmem: 256 * N * r },
      (error, key) => (error ? reject(error) : resolve(key)),
    );
  });
}

/**
 * How a caller waits for the process's hashing gate (hash-gate.ts): HTTP requests pass
 * `{ mayRefuse: true }` and get a 429 when the queue is full; the CLI and the demo loader wait.
 */
export interface HashOptions {
  mayRefuse?: boolean;
  /** `low` for a login from a client with recent failures (see hash-gate.ts). */
  priority?: HashPriority;
}

/** Hashes a password as `scrypt$logN$r$p$salt$hash` (base64url parts). */
export async function hashPassword(password: string, options: HashOptions = {}): Promise<string> {
  const salt = randomBytes(16);
  const key = await PASSWORD_HASHING.run(() => scrypt(password, salt, LOG_N, R, P), options);
  return ['scrypt', LOG_N, R, P, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** Checks a password against a stored hash in constant time. */
export async function verifyPassword(
  password: string,
  stored: string,
  options: HashOptions = {},
): Promise<boolean> {
  const [scheme, logN, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = await PASSWORD_HASHING.run(
    () => scrypt(password, Buffer.from(salt, 'base64url'), Number(logN), Number(r), Number(p)),
    options,
  );
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

// Control characters (C0, DEL, C1) cannot be typed reliably and are a sign of a mangled paste.
const CONTROL = /\p{Cc}/u;

/**
 * Why a new password is refused, or undefined when it is acceptable. ASVS: a minimum length, no
 * composition rules, and no common or context-specific passwords (the bundled list, the
 * account's own email, one character or a short pattern repeated).
 */
export function passwordProblem(password: string, context: { email?: string } = {}): string | undefined {
  if (password.length < MIN_PASSWORD_LENGTH) return `must be at least ${MIN_PASSWORD_LENGTH} characters`;
  if (password.length > MAX_PASSWORD_LENGTH) return `must be at most ${MAX_PASSWORD_LENGTH} characters`;
  if (/\p{Cs}/u.test(password)) return 'must be valid Unicode text (a lone surrogate)';
  if (CONTROL.test(password)) return 'must not contain control characters';
  if (!password.trim()) return 'must not be only spaces';
  const folded = password.normalize('NFKC').toLowerCase();
  if (isCommonPassword(folded)) return 'is a commonly used password; choose another';
  if (/^(.{1,4})\1+$/su.test(folded)) return 'must not be a short pattern repeated';
  // `yamada.hanako@…` refuses `Yamada-Hanako2024!`: the same letters with digits or symbols around.
  const letters = (text: string) => text.replace(/[^\p{L}]/gu, '');
  const local = letters(context.email?.trim().toLowerCase().split('@')[0] ?? '');
  if (local.length >= 3 && letters(folded) === local) return 'must not be the email address';
  return undefined;
}

/** A random password for generated owners (`kizuna init`), shown once. */
export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}
