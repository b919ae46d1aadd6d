import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * One HMAC-SHA256 in canonical base64: 43 characters and one `=`. Node's base64 decoder is
 * lenient (it skips characters it does not know and stops at padding), so without this check
 * `"<valid>, <valid>"` (two headers joined), `<valid>==junk` or a non-canonical last character
 * would all decode to the valid digest.
 */
const SIGNATURE = /^[A-Za-z0-9+/]{43}=$/;

/**
 * Whether `x-line-signature` is exactly base64(HMAC-SHA256(channel secret, raw body bytes)),
 * compared in constant time.
 *
 * @example
 * verifySignature(rawBody, channel.secret, request.headers['x-line-signature'])
 */
export function verifySignature(body: Buffer, secret: string, signature: unknown): boolean {
  if (typeof signature !== 'string' || !SIGNATURE.test(signature)) return false;
  const given = Buffer.from(signature, 'base64');
  // The last character carries 2 bits of padding that must be zero: re-encoding shows it.
  if (given.length !== 32 || given.toString('base64') !== signature) return false;
  const expected = createHmac('sha256', secret).update(body).digest();
  return timingSafeEqual(given, expected);
}
