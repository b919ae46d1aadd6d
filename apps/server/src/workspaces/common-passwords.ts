import { readFileSync } from 'node:fs';
import { join } from 'node:path';

let list: Set<string> | undefined;

/**
 * Whether a password (already NFKC-normalised and lower-cased) is on the bundled list of common
 * passwords, common-passwords.txt (its header names the source). Loaded on first use: about
 * 4,000 entries, 40 KB.
 */
export function isCommonPassword(folded: string): boolean {
  list ??= new Set(
    readFileSync(join(import.meta.dirname, 'common-passwords.txt'), 'utf8')
      .split('\n')
      .filter((line) => line && !line.startsWith('#')),
  );
  return list.has(folded);
}
