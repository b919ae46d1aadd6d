// The query side of the search keys that migration 0016 stores (search_key() there): the two must
// fold the same strings to the same key, which customer-search.test.ts checks against the database.
import type { FieldProblem } from '../shared/domain-error.ts';

/** The longest search text accepted, in characters. */
export const MAX_SEARCH_LENGTH = 100;

const HIRAGANA = /[\u3041-\u3096\u309d\u309e]/g;
const SPACES = /[ \t\n\r\f\v]/g;
const ASCII_UPPER = /[A-Z]/g;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Folds a name, a kana reading or a LINE display name to its search key: NFKC (half-width kana
 * and full-width Latin become their usual forms), ASCII lower case, no spaces, hiragana as
 * katakana. `ﾀﾅｶ ﾊﾅｺ`, `タナカ　ハナコ` and `たなかはなこ` all give `タナカハナコ`.
 */
export function searchKey(text: string): string {
  return text
    .normalize('NFKC')
    .replace(ASCII_UPPER, (c) => c.toLowerCase())
    .replace(SPACES, '')
    .replace(HIRAGANA, (c) => String.fromCharCode(c.charCodeAt(0) + 0x60));
}

/**
 * A typed phone number's prefix in E.164, the form phone identities are stored in, or undefined
 * when the text is not (the start of) a phone number. A leading 0 is Japan's trunk prefix:
 * `090-12` → `+819012`; `+81 90 12` and `０９０１２` give the same.
 */
export function phonePrefix(text: string): string | undefined {
  const halfWidth = text
    .normalize('NFKC')
    .replace(/[ー−‐]/g, '-')
    .trim();
  if (!/^\+?[0-9][0-9 ()\-.]*$/.test(halfWidth)) return undefined;
  const digits = halfWidth.replace(/[^0-9]/g, '');
  if (halfWidth.startsWith('+')) return `+${digits}`;
  if (digits.startsWith('0')) return digits.length > 1 ? `+81${digits.slice(1)}` : undefined;
  return undefined;
}

/**
 * The strings that start with `prefix`, as a range in "C" (code point) order: from the prefix up
 * to, not including, the prefix with its last character replaced by the next one.
 */
export interface KeyRange {
  from: string;
  below: string;
}

export function prefixRange(prefix: string): KeyRange {
  const chars = [...prefix];
  const last = chars.pop()?.codePointAt(0);
  if (last === undefined) throw new Error('prefixRange: empty prefix');
  // The surrogate code points are no characters; the one after U+D7FF is U+E000.
  const next = last === 0xd7ff ? 0xe000 : last + 1;
  return { from: prefix, below: chars.join('') + String.fromCodePoint(next) };
}

/** Exactly `value` as a range: nothing sorts between it and itself followed by U+0001. */
export function exactRange(value: string): KeyRange {
  return { from: value, below: `${value}\u0001` };
}

/**
 * Problems with a search or lookup text that a JSON schema cannot express: NUL (PostgreSQL
 * cannot store it), lone surrogates and U+FFFD (what an undecodable %-escape in a URL becomes),
 * and text that is empty once spaces are dropped.
 */
export function searchTextProblems(text: string, path: string): FieldProblem[] {
  if (text.includes('\u0000')) return [{ path, message: 'must not contain NUL characters' }];
  if (LONE_SURROGATE.test(text) || text.includes('\ufffd'))
    return [{ path, message: 'is not valid UTF-8 text (lone surrogate or undecodable escape)' }];
  if (text.length > MAX_SEARCH_LENGTH)
    return [{ path, message: `must be at most ${MAX_SEARCH_LENGTH} characters` }];
  if (!searchKey(text)) return [{ path, message: 'must contain something to search for' }];
  return [];
}
