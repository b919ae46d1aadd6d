// What a Shopify order row says about its customer besides the email or phone that finds them:
// the billing name, the billing prefecture and postal code, Accepts Marketing and the note
// attributes (with a LINE userId among them). The rules are in README.md ("Shopify orders").
// A cell that cannot be read is a warning: the order (revenue) is imported, the detail is not.
import { DEFAULT_JSON_BOUNDS } from '../shared/bounded-json.ts';
import { prefectureName } from '../shared/prefectures.ts';
import { normalisePostalCode } from './csv-values.ts';
import type { CellReader, ImportedCustomer } from './order-formats.ts';

export const SHOPIFY_CUSTOMER_COLUMNS = [
  'Accepts Marketing',
  'Billing Name',
  'Billing Zip',
  'Billing Province',
  'Billing Province Name',
  'Billing Country',
  'Note Attributes',
] as const;

const LINE_USER_ID = /^U[0-9a-f]{32}$/;
/** Note attribute keys (lower-cased, without spaces, _ and -) that carry a LINE userId. */
const LINE_KEYS = new Set(['lineuid', 'lineuserid']);
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u;

/**
 * Family and given name from a billing name. Japanese names are written family first
 * ("山田 花子", also with a full-width space); a name in Latin letters only is read as Western,
 * given first ("Hanako Yamada" → family Yamada). One word is the family name.
 *
 * @example
 * splitBillingName('山田\u3000花子') // { familyName: '山田', givenName: '花子' }
 */
export function splitBillingName(raw: string): { familyName?: string; givenName?: string } {
  const words = raw.normalize('NFKC').trim().split(/\s+/).filter(Boolean);
  if (!words.length) return {};
  if (words.length === 1) return { familyName: words[0]! };
  if (CJK.test(raw)) return { familyName: words[0]!, givenName: words.slice(1).join(' ') };
  return { familyName: words.at(-1)!, givenName: words.slice(0, -1).join(' ') };
}

const JAPAN = new Set(['', 'jp', 'jpn', 'japan', '日本']);

/** Shopify's "key: value" lines; a line without a colon is a warning. */
function noteAttributes(read: CellReader): { attributes: Record<string, string>; lineUserId?: string } {
  const column = 'Note Attributes';
  const attributes: Record<string, string> = {};
  let lineUserId: string | undefined;
  const { maxKeyLength, maxStringLength, maxProperties } = DEFAULT_JSON_BOUNDS;
  for (const text of read.cell(column).split(/\r?\n/)) {
    if (!text.trim()) continue;
    const colon = text.indexOf(':');
    const key = colon > 0 ? text.slice(0, colon).trim() : '';
    const value = colon > 0 ? text.slice(colon + 1).trim() : '';
    if (!key) {
      read.warn(column, `"${text.slice(0, 50)}" is not "key: value"; it was skipped`);
      continue;
    }
    if (key.length > maxKeyLength || value.length > maxStringLength) {
      read.warn(
        column,
        `"${key.slice(0, 50)}" is longer than ${maxKeyLength} (key) or ${maxStringLength} (value) characters; it was skipped`,
      );
      continue;
    }
    if (LINE_KEYS.has(key.toLowerCase().replace(/[\s_-]/g, ''))) {
      if (LINE_USER_ID.test(value)) lineUserId = value;
      else
        read.warn(
          column,
          `${key} "${value.slice(0, 50)}" is not a LINE userId (U followed by 32 hex digits); the customer was imported without it`,
        );
    }
    if (Object.keys(attributes).length >= maxProperties) {
      read.warn(column, `more than ${maxProperties} attributes; "${key}" and the rest were skipped`);
      break;
    }
    attributes[key] = value;
  }
  return { attributes, ...(lineUserId ? { lineUserId } : {}) };
}

function emailMarketing(read: CellReader): boolean | undefined {
  const raw = read.cell('Accepts Marketing').trim().toLowerCase();
  if (!raw) return undefined;
  if (['yes', 'true', '1'].includes(raw)) return true;
  if (['no', 'false', '0'].includes(raw)) return false;
  read.warn('Accepts Marketing', `must be yes or no: "${raw.slice(0, 20)}"; no consent was recorded`);
  return undefined;
}

/** The customer details of a Shopify order's first row. */
export function shopifyCustomer(read: CellReader): ImportedCustomer {
  const profile: ImportedCustomer['profile'] = { ...splitBillingName(read.cell('Billing Name')) };
  const japan = JAPAN.has(read.cell('Billing Country').normalize('NFKC').trim().toLowerCase());
  // Newer exports add Billing Province Name ("Tokyo") beside the code ("JP-13"); either will do.
  const column = read.cell('Billing Province') ? 'Billing Province' : 'Billing Province Name';
  const province = read.cell(column);
  if (province && japan) {
    const name = prefectureName(province) ?? prefectureName(read.cell('Billing Province Name'));
    if (name) profile.prefecture = name;
    else read.warn(column, `"${province.slice(0, 30)}" is not a Japanese prefecture; it was skipped`);
  }
  const zip = read.cell('Billing Zip');
  if (zip && japan) {
    const code = normalisePostalCode(zip);
    if (code) profile.postalCode = code;
    else
      read.warn(
        'Billing Zip',
        `"${zip.slice(0, 30)}" is not a Japanese postal code (7 digits); it was skipped`,
      );
  }
  const { attributes, lineUserId } = noteAttributes(read);
  if (Object.keys(attributes).length) profile.attributes = attributes;
  const marketing = emailMarketing(read);
  return {
    profile,
    consentSource: 'shopify_import',
    ...(lineUserId ? { lineUserId } : {}),
    ...(marketing === undefined ? {} : { emailMarketing: marketing }),
  };
}
