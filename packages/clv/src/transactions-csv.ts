/**
 * Parse a transaction log (customer, date[, amount]) from text. Columns are picked by header
 * name or by 1-based position; the delimiter is a comma, a tab, or runs of spaces (CDNOW's own
 * format). Dates are calendar days as written: YYYYMMDD, YYYY-MM-DD or YYYY/MM/DD, with anything
 * after the date (a time, a zone) ignored, so a purchase belongs to the shop's local day.
 */
import { ClvError } from './errors.ts';
import type { TransactionLog } from './transactions.ts';

export interface TransactionColumns {
  /** Header name or 1-based column number. */
  customer?: string | undefined;
  date?: string | undefined;
  amount?: string | undefined;
  /** The first line is data, not a header; columns must then be numbers. */
  noHeader?: boolean | undefined;
}

export interface ParsedLog extends TransactionLog {
  /** Customer id text per customer code. */
  ids: string[];
}

const DEFAULTS = {
  customer: ['customer_id', 'customer', 'id', 'ID'],
  date: ['date', 'order_date', 'purchased_at', 'timestamp'],
  amount: ['amount', 'value', 'monetary_value', 'dollar_value', 'total', 'price'],
};

export function parseTransactionsCsv(
  text: string,
  file: string,
  columns: TransactionColumns = {},
): ParsedLog {
  const lines = text.split(/\r?\n/);
  const first = lines[0] ?? '';
  const split: (l: string) => string[] = first.includes(',')
    ? (l) => l.split(',')
    : first.includes('\t')
      ? (l) => l.split('\t')
      : (l) => l.trim().split(/\s+/);
  const header = columns.noHeader ? undefined : split(first).map((s) => s.trim().replace(/^"|"$/g, ''));
  const pick = (what: keyof typeof DEFAULTS, given: string | undefined, required: boolean): number => {
    if (given !== undefined && /^\d+$/.test(given)) return Number(given) - 1;
    if (!header) {
      if (!required && given === undefined) return -1;
      throw new ClvError(
        'invalid_input',
        `--${what}-col must be a column number when the file has no header`,
        { field: what },
      );
    }
    const names = given !== undefined ? [given] : DEFAULTS[what];
    const i = header.findIndex((h) => names.includes(h));
    if (i < 0 && (required || given !== undefined)) {
      throw new ClvError(
        'invalid_input',
        `${file} line 1: no ${names.join('/')} column (header: ${header.join(',')}); use --${what}-col`,
        {
          field: what,
        },
      );
    }
    return i;
  };
  const cCol = pick('customer', columns.customer, true);
  const dCol = pick('date', columns.date, true);
  const aCol = pick('amount', columns.amount, false);
  const codes = new Map<string, number>();
  const ids: string[] = [];
  const customer: number[] = [];
  const day: number[] = [];
  const amount: number[] = [];
  for (let li = header ? 1 : 0; li < lines.length; li++) {
    const l = lines[li]!;
    if (l.trim() === '') continue;
    const f = split(l);
    const need = Math.max(cCol, dCol, aCol) + 1;
    if (f.length < need)
      throw new ClvError('invalid_input', `${file} line ${li + 1}: ${f.length} columns, need ${need}`, {
        row: li,
      });
    const id = f[cCol]!.trim();
    let code = codes.get(id);
    if (code === undefined) {
      code = ids.length;
      codes.set(id, code);
      ids.push(id);
    }
    customer.push(code);
    const d = parseDay(f[dCol]!.trim());
    if (d === undefined) {
      throw new ClvError(
        'invalid_input',
        `${file} line ${li + 1}, column ${dCol + 1} (${header?.[dCol] ?? 'date'}): not a date: '${f[dCol]}'`,
        {
          field: 'date',
          row: li,
        },
      );
    }
    day.push(d);
    if (aCol >= 0) {
      const v = Number(f[aCol]!.trim());
      if (!Number.isFinite(v) || f[aCol]!.trim() === '') {
        throw new ClvError(
          'invalid_input',
          `${file} line ${li + 1}, column ${aCol + 1} (${header?.[aCol] ?? 'amount'}): not a number: '${f[aCol]}'`,
          {
            field: 'amount',
            row: li,
          },
        );
      }
      amount.push(v);
    }
  }
  if (customer.length === 0) throw new ClvError('too_few_customers', `${file}: no transactions`);
  return {
    customer: Uint32Array.from(customer),
    day: Int32Array.from(day),
    amount: aCol >= 0 ? Float64Array.from(amount) : undefined,
    customerCount: ids.length,
    ids,
  };
}

/** Day number (days since 1970-01-01) of YYYYMMDD / YYYY-MM-DD / YYYY/MM/DD; undefined if not a date. */
export function parseDay(text: string): number | undefined {
  const m = /^(\d{4})-?\/?(\d{2})-?\/?(\d{2})(?:$|[T ])/.exec(text.replace(/^"|"$/g, ''));
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = Date.UTC(y, mo - 1, d);
  const back = new Date(t);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d)
    return undefined;
  return t / 86_400_000;
}

/** YYYY-MM-DD of a day number. */
export function formatDay(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}
