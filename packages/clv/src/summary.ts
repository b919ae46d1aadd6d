/**
 * The RFM summary every model fits on and its validation. Its compression into weighted rows
 * (`RfmIndex`) lives in compress.ts and is re-exported here.
 */
import { ClvError } from './errors.ts';
import type { RfmSummary } from './rfm-types.ts';

export type { RfmSummary } from './rfm-types.ts';

/** The time unit a summary's t_x and T are counted in. */
export type TimeUnit = 'day' | 'week';

export interface ValidateOptions {
  /** The smallest number of customers (Σ weights) the model needs. */
  minCustomers: number;
  /** Discrete-time data (BG/BB): x, t_x and T must be whole numbers. */
  discrete?: boolean;
}

/** Throws `ClvError` naming the row and field of the first bad value. Returns Σ weights. */
export function validateSummary(s: RfmSummary, options: ValidateOptions): number {
  const n = s.x.length;
  if (s.tx.length !== n || s.T.length !== n || (s.weight && s.weight.length !== n)) {
    throw new ClvError(
      'invalid_input',
      `columns differ in length (x ${n}, t_x ${s.tx.length}, T ${s.T.length})`,
    );
  }
  let total = 0;
  for (let i = 0; i < n; i++) {
    const x = s.x[i]!;
    const tx = s.tx[i]!;
    const T = s.T[i]!;
    const w = s.weight ? s.weight[i]! : 1;
    checkValue(x, 'x', i);
    checkValue(tx, 't_x', i);
    checkValue(T, 'T', i);
    checkValue(w, 'weight', i);
    if (tx > T * (1 + 1e-12)) {
      throw new ClvError('invalid_input', `row ${i}: t_x (${tx}) is later than T (${T})`, {
        field: 't_x',
        row: i,
      });
    }
    if (x === 0 && tx !== 0) {
      throw new ClvError('invalid_input', `row ${i}: t_x must be 0 when x = 0 (got ${tx})`, {
        field: 't_x',
        row: i,
      });
    }
    if (options.discrete && (!Number.isInteger(x) || !Number.isInteger(tx) || !Number.isInteger(T))) {
      throw new ClvError('invalid_input', `row ${i}: discrete-time data needs whole numbers`, { row: i });
    }
    if (options.discrete && x > tx) {
      throw new ClvError('invalid_input', `row ${i}: x (${x}) exceeds t_x (${tx})`, { field: 'x', row: i });
    }
    total += w;
  }
  if (total < options.minCustomers) {
    throw new ClvError(
      'too_few_customers',
      `need at least ${options.minCustomers} customers to fit, got ${total}`,
    );
  }
  return total;
}

function checkValue(v: number, field: string, row: number): void {
  if (!Number.isFinite(v)) {
    throw new ClvError('invalid_input', `row ${row}: ${field} is not a finite number (${v})`, { field, row });
  }
  if (v < 0) throw new ClvError('invalid_input', `row ${row}: ${field} is negative (${v})`, { field, row });
}

export {
  compressSummary,
  type DistinctIndex,
  indexDistinct,
  type RfmIndex,
  subsampleIndex,
} from './compress.ts';
