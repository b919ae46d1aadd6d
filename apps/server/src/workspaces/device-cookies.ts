import { createHash } from 'node:crypto';
import type { SecretBox } from '../shared/secret-box.ts';

/**
 * Device cookies (OWASP's defence against online guessing that does not lock owners out): after
 * a correct password, the browser gets a sealed cookie naming the account (by a hash of its
 * email) and when it was issued. A later login for that account that presents it is served
 * before every other password check (hash-gate.ts `trusted`), so a returning user does not wait
 * behind a crowd of new guessing addresses, whose first attempts look like anyone's.
 *
 * The cookie is sealed with the workspace secrets key (AES-256-GCM), so it cannot be forged or
 * moved to another account; it carries no email, only its hash. It grants nothing else: the
 * password is still checked and every throttle still applies.
 */
export const DEVICE_COOKIE = 'kz_device';
export const DEVICE_COOKIE_MAX_AGE_MS = 180 * 24 * 60 * 60 * 1000;

const accountHash = (email: string) =>
  createHash('sha256').update(`kizuna-device:${email.trim().toLowerCase()}`).digest('base64url');

/** A sealed cookie value vouching that this browser logged in to `email`'s account at `now`. */
export function issueDeviceCookie(secrets: SecretBox, email: string, now = Date.now()): string {
  return secrets.seal(JSON.stringify({ a: accountHash(email), t: now }));
}

/** True when `value` is a device cookie this server issued for `email`'s account and it has not expired. */
export function deviceCookieVouches(
  secrets: SecretBox,
  value: string | undefined,
  email: string,
  now = Date.now(),
): boolean {
  if (!value || value.length > 500) return false;
  try {
    const { a, t } = JSON.parse(secrets.open(value)) as { a?: unknown; t?: unknown };
    return (
      a === accountHash(email) && typeof t === 'number' && t <= now && now - t < DEVICE_COOKIE_MAX_AGE_MS
    );
  } catch {
    return false;
  }
}
