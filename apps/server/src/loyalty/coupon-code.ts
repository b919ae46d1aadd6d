import { randomInt } from 'node:crypto';

/** Letters and digits a person can read back without confusion: no 0/O, 1/I/L. */
export const COUPON_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
const LENGTH = 12;

/**
 * A new coupon code, `XXXX-XXXX-XXXX` from a CSPRNG: 31^12 ≈ 2^59 codes, so guessing one of a
 * workspace's codes is hopeless even for a million issued coupons.
 */
export function generateCouponCode(): string {
  let raw = '';
  for (let i = 0; i < LENGTH; i++) raw += COUPON_ALPHABET[randomInt(COUPON_ALPHABET.length)];
  return formatCode(raw);
}

/** Canonical form of a typed or scanned code: upper case, dashes every four characters. */
export function normalizeCouponCode(input: string): string {
  return formatCode(input.toUpperCase().replace(/[^0-9A-Z]/g, ''));
}

function formatCode(raw: string): string {
  return raw.match(/.{1,4}/g)?.join('-') ?? '';
}
