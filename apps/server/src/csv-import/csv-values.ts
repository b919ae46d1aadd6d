// Parsers for the cell values shops put in spreadsheets. Each returns the value in the API's
// form, or a message saying what is wrong with the cell.

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const bad = (message: string): Parsed<never> => ({ ok: false, message });

/** Currencies whose amounts have no minor unit; the rest are stored in cents (2 decimals). */
const ZERO_DECIMAL = new Set(['JPY', 'KRW', 'VND', 'CLP', 'ISK', 'TWD', 'HUF', 'UGX']);

/**
 * An amount as printed ("1200", "1,200", "¥1,200", "1200.00") in integer minor units of the
 * currency: whole yen for JPY, cents for USD.
 */
export function parseAmount(raw: string, currency: string): Parsed<number> {
  const text = raw.normalize('NFKC').replace(/[¥$€円,\s]/g, '');
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) return bad(`not an amount: "${raw}"`);
  if (match[1]) return bad(`must not be negative: "${raw}"`);
  const decimals = ZERO_DECIMAL.has(currency) ? 0 : 2;
  const fraction = (match[3] ?? '').replace(/0+$/, '');
  if (fraction.length > decimals) {
    return bad(
      decimals === 0
        ? `${currency} amounts are whole units, got "${raw}"`
        : `more than ${decimals} decimals in "${raw}"`,
    );
  }
  const value = Number(match[2]) * 10 ** decimals + Number(fraction.padEnd(decimals, '0') || '0');
  if (!Number.isSafeInteger(value) || value > 1e12) return bad(`too large: "${raw}"`);
  return ok(value);
}

export function parseQuantity(raw: string): Parsed<number> {
  const text = raw.normalize('NFKC').trim();
  if (!/^\d+$/.test(text) || Number(text) < 1) return bad(`not a whole number of at least 1: "${raw}"`);
  return ok(Number(text));
}

function realDate(y: number, m: number, d: number): boolean {
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

const pad = (n: string) => n.padStart(2, '0');

/** "1990-04-01", "1990/4/1" → "1990-04-01". */
export function parseDate(raw: string): Parsed<string> {
  const match = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$/.exec(raw.normalize('NFKC').trim());
  if (!match || !realDate(Number(match[1]), Number(match[2]), Number(match[3])))
    return bad(`not a date (YYYY-MM-DD): "${raw}"`);
  return ok(`${match[1]}-${pad(match[2]!)}-${pad(match[3]!)}`);
}

const TIMESTAMP =
  /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * A point in time as an ISO-8601 string with a zone. Accepts ISO-8601 ("2024-03-05T14:22:10+09:00"),
 * Shopify's "2024-03-05 14:22:10 +0900" and spreadsheet forms ("2024/3/5 14:22"). A time without a
 * zone is Japan time (+09:00), and a date alone is midnight Japan time.
 */
export function parseTimestamp(raw: string): Parsed<string> {
  const match = TIMESTAMP.exec(raw.normalize('NFKC').trim());
  if (!match)
    return bad(`not a date and time (e.g. 2024-03-05 14:22:10 or 2024-03-05T14:22:10+09:00): "${raw}"`);
  const [, y, mo, d, h = '0', mi = '00', s = '00', frac = '', zone] = match;
  if (!realDate(Number(y), Number(mo), Number(d)) || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59)
    return bad(`not a real date and time: "${raw}"`);
  let offset = '+09:00';
  if (zone && zone.toUpperCase() === 'Z') offset = 'Z';
  else if (zone) {
    const digits = zone.replace(':', '');
    offset = `${digits.slice(0, 3)}:${digits.slice(3)}`;
  }
  return ok(`${y}-${pad(mo!)}-${pad(d!)}T${pad(h)}:${mi}:${s}${frac}${offset}`);
}

const TRUE = new Set(['true', 'yes', 'y', '1', 'granted', 'on', 'はい', '同意', '許可']);
const FALSE = new Set(['false', 'no', 'n', '0', 'revoked', 'off', 'いいえ', '拒否', '解除']);

export function parseBoolean(raw: string): Parsed<boolean> {
  const text = raw.normalize('NFKC').trim().toLowerCase();
  if (TRUE.has(text)) return ok(true);
  if (FALSE.has(text)) return ok(false);
  return bad(`not yes or no (true/false, 1/0): "${raw}"`);
}

/** "coffee|cake", "coffee, cake", "コーヒー、ケーキ" → ["coffee", "cake"]. */
export function parseList(raw: string): string[] {
  return raw
    .split(/[|;,、]/)
    .map((item) => item.trim())
    .filter(Boolean);
}

/** 〒150-0002, 1500002, '1500002 (Shopify's guard against spreadsheets), １５０－０００２ → 150-0002. */
export function normalisePostalCode(raw: string): string | undefined {
  const digits = raw
    .normalize('NFKC')
    .replace(/^'/, '')
    .replace(/[〒\s\-ー−‐]/g, '');
  return /^\d{7}$/.test(digits) ? `${digits.slice(0, 3)}-${digits.slice(3)}` : undefined;
}
