/**
 * From a transaction log to the RFM summary, with an optional holdout period.
 *
 * Purchases on the same day merge into one (their amounts add up): without that, about 2 % of the
 * CDNOW x values come out wrong. The time unit only scales t_x and T (weeks = days / 7); it does
 * not merge purchases made in the same week, which is how the published CDNOW summary was made.
 */
import { ClvError } from './errors.ts';
import type { RfmSummary, TimeUnit } from './summary.ts';

export interface TransactionLog {
  /** Dense customer codes 0 … customerCount−1 (the CLI maps ids to codes). */
  customer: Uint32Array;
  /** Purchase date as a day number (days since 1970-01-01). */
  day: Int32Array;
  amount?: Float64Array | undefined;
  customerCount: number;
}

export interface SummariseOptions {
  /** Last day (inclusive) of the calibration period, as a day number. */
  calibrationEnd: number;
  /** Last day (inclusive) of the holdout period; none when absent. */
  holdoutEnd?: number | undefined;
  unit: TimeUnit;
}

export interface TransactionSummary extends RfmSummary {
  /** The customer code of each row. Customers first seen after calibration are left out. */
  customer: Uint32Array;
  monetary: Float64Array;
  unit: TimeUnit;
  /** Holdout actuals: purchase days in (calibrationEnd, holdoutEnd], and their mean amount. */
  holdout?: { x: Float64Array; monetary: Float64Array; duration: number } | undefined;
}

export const DAYS_PER_UNIT: Record<TimeUnit, number> = { day: 1, week: 7 };

export function summariseTransactions(log: TransactionLog, options: SummariseOptions): TransactionSummary {
  const n = log.customer.length;
  const { calibrationEnd, holdoutEnd, unit } = options;
  if (n === 0) throw new ClvError('too_few_customers', 'the transaction log is empty');
  if (log.day.length !== n || (log.amount && log.amount.length !== n)) {
    throw new ClvError('invalid_input', 'customer, day and amount columns differ in length');
  }
  if (holdoutEnd !== undefined && holdoutEnd <= calibrationEnd) {
    throw new ClvError('invalid_input', 'holdout end must be after calibration end', { field: 'holdoutEnd' });
  }
  const order = sortByCustomerAndDay(log);
  const per = DAYS_PER_UNIT[unit];
  const rows: { c: number; x: number; tx: number; T: number; m: number; hx: number; hm: number }[] = [];
  let i = 0;
  while (i < n) {
    const c = log.customer[order[i]!]!;
    let first = -1;
    let last = 0;
    let x = 0;
    let spend = 0;
    let hx = 0;
    let hspend = 0;
    while (i < n && log.customer[order[i]!]! === c) {
      const d = log.day[order[i]!]!;
      let amount = 0;
      while (i < n && log.customer[order[i]!]! === c && log.day[order[i]!]! === d) {
        amount += log.amount ? log.amount[order[i]!]! : 0;
        i++;
      }
      if (d <= calibrationEnd) {
        if (first < 0) first = d;
        else {
          x++;
          spend += amount;
        }
        last = d;
      } else if (first >= 0 && holdoutEnd !== undefined && d <= holdoutEnd) {
        hx++;
        hspend += amount;
      }
    }
    if (first >= 0) {
      rows.push({
        c,
        x,
        tx: x > 0 ? (last - first) / per : 0,
        T: (calibrationEnd - first) / per,
        m: x > 0 ? spend / x : 0,
        hx,
        hm: hx > 0 ? hspend / hx : 0,
      });
    }
  }
  if (rows.length === 0)
    throw new ClvError('too_few_customers', 'no customer made a purchase on or before the calibration end');
  const summary: TransactionSummary = {
    customer: Uint32Array.from(rows, (r) => r.c),
    x: Float64Array.from(rows, (r) => r.x),
    tx: Float64Array.from(rows, (r) => r.tx),
    T: Float64Array.from(rows, (r) => r.T),
    monetary: Float64Array.from(rows, (r) => r.m),
    unit,
  };
  if (holdoutEnd !== undefined) {
    summary.holdout = {
      x: Float64Array.from(rows, (r) => r.hx),
      monetary: Float64Array.from(rows, (r) => r.hm),
      duration: (holdoutEnd - calibrationEnd) / per,
    };
  }
  return summary;
}

/** Transaction indexes ordered by customer, then day: a counting sort on customer, then days. */
function sortByCustomerAndDay(log: TransactionLog): Uint32Array {
  const n = log.customer.length;
  const start = new Uint32Array(log.customerCount + 1);
  for (let i = 0; i < n; i++) {
    const c = log.customer[i]!;
    if (c >= log.customerCount)
      throw new ClvError('invalid_input', `row ${i}: customer code ${c} out of range`, { row: i });
    const d = log.day[i]!;
    if (!Number.isInteger(d))
      throw new ClvError('invalid_input', `row ${i}: day is not a whole number (${d})`, {
        field: 'day',
        row: i,
      });
    if (log.amount && !Number.isFinite(log.amount[i]!)) {
      throw new ClvError('invalid_input', `row ${i}: amount is not a finite number`, {
        field: 'amount',
        row: i,
      });
    }
    start[c + 1]!++;
  }
  for (let c = 0; c < log.customerCount; c++) start[c + 1]! += start[c]!;
  const fill = start.slice(0, log.customerCount);
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[fill[log.customer[i]!]!++] = i;
  for (let c = 0; c < log.customerCount; c++) {
    const seg = order.subarray(start[c]!, start[c + 1]!);
    if (seg.length > 1) seg.sort((u, v) => log.day[u]! - log.day[v]! || u - v);
  }
  return order;
}
