/** RFC 5321 caps a forward path at 256 octets, so an address (without the brackets) at 254. */
export const MAX_EMAIL_LENGTH = 254;

const WHITESPACE = /\s/;

/**
 * Whether `value` looks like an email address: one `@`, no whitespace, something before the `@`,
 * and a domain with a dot that is neither its first nor its last character. This is the check the
 * regex `^[^\s@]+@[^\s@]+\.[^\s@]+$` made, done in one pass: that regex backtracks quadratically
 * on a long domain full of dots (a 78 KiB address held the event loop for 12.6 s). The length is
 * checked first, so no input costs more than MAX_EMAIL_LENGTH steps.
 *
 * @example
 * isEmailAddress('hanako@example.jp'); // true
 * isEmailAddress('hanako@localhost'); // false: no dot in the domain
 */
export function isEmailAddress(value: string): boolean {
  if (value.length > MAX_EMAIL_LENGTH) return false;
  const at = value.indexOf('@');
  if (at < 1 || at !== value.lastIndexOf('@')) return false;
  if (WHITESPACE.test(value)) return false;
  const domain = value.slice(at + 1);
  // A dot with at least one character on each side of it.
  return domain.length >= 3 && domain.slice(1, -1).includes('.');
}
