// Insert QR tokens (同梱物): `<order id in base 36>.<signature>`, the signature an HMAC-SHA256 of
// `insert-qr:<order id>` under the workspace's link key (clicks/link-token.ts; the label keeps the
// two uses apart). Deterministic, so a reprinted sheet carries the same codes; unguessable, so
// nobody can claim an order whose slip they have not held. 128 bits, as for tracked links.
import { createHmac, timingSafeEqual } from 'node:crypto';

const SIGNATURE_BYTES = 16;
const TOKEN = /^([0-9a-z]{1,11})\.([A-Za-z0-9_-]{22})$/;

const signature = (key: Buffer, orderId: number) =>
  createHmac('sha256', key).update(`insert-qr:${orderId}`).digest().subarray(0, SIGNATURE_BYTES);

export function signInsertToken(key: Buffer, orderId: number): string {
  return `${orderId.toString(36)}.${signature(key, orderId).toString('base64url')}`;
}

/** The order a token names when its signature is the key's; undefined for anything else. */
export function verifyInsertToken(key: Buffer, token: string): number | undefined {
  const match = TOKEN.exec(token);
  if (!match) return undefined;
  const orderId = Number.parseInt(match[1]!, 36);
  if (!Number.isSafeInteger(orderId) || orderId < 1) return undefined;
  const given = Buffer.from(match[2]!, 'base64url');
  const expected = signature(key, orderId);
  return given.length === expected.length && timingSafeEqual(given, expected) ? orderId : undefined;
}

/** The LIFF URL printed as the QR code: opening it signs the member in and shows the claim. */
export function insertUrl(liffId: string, token: string): string {
  return `https://liff.line.me/${liffId}?insert=${token}`;
}
