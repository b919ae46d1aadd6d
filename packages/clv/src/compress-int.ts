/**
 * The fast path of `compressSummary` for day- or period-granular data: x is a whole number and
 * t_x and T lie on a grid of sevenths of their unit (whole days, whether written in days or in
 * weeks, e.g. 98.428571 = 689 days), so every distinct value and every (t_x, T) pair has a slot
 * in a flat table. A few linear passes replace per-column sorting and hashing. The result is
 * identical, row for row and weight for weight, to the general path (`compressGeneral`), so fits
 * do not change.
 *
 * The slot of a value v is round(7v). Each slot keeps the first value met there (`heldt`,
 * `heldT`) and a second, different value in the same slot sends the data to the general path; as
 * round(7v) never decreases with v, slots in order are then the distinct values in order, the
 * values the fits see are the file's own, and the grid is only a key. "Within rounding" (|7v − k|
 * ≤ 0.04: weeks written to 2 decimals, as CDNOW's, and more) only decides when to try.
 *
 * Each pass over the customers is a function of its own with one loop: a `fit` runs every pass
 * once per process, so each loop starts in V8's interpreter until its on-stack compile lands, and
 * a small function compiles in a millisecond or two where the whole of this file's work, as one
 * function, took 7–20 ms per compile (five of them, each after a bail-out at the next loop).
 */
import type { IntColumns, RfmIndex, RfmSummary } from './rfm-types.ts';

export type { IntColumns } from './rfm-types.ts';

const LIMIT = 1 << 22;
const MAX_PAIRS = 1 << 24;
/** How far 7v may be from a whole number for v to count as sevenths (see above). */
export const SEVENTHS_TOLERANCE = 0.04;

/** Undefined when the data is not on a small integer grid; the caller then takes the general path. */
export function compressIntegers(s: RfmSummary): RfmIndex | undefined {
  // From the CSV reader when it made them (then x, t_x and T as doubles are not read at all: the
  // reader makes them only when asked); else tables for slots below 2^16 (25 years in days)
  // first, and larger values take a second pass.
  const n = s.intColumns ? s.intColumns.xi.length : s.x.length;
  if (n === 0) return undefined;
  let cols = s.intColumns ?? intColumns(s.x, s.tx, s.T, 1 << 16);
  if (cols === 'larger') cols = intColumns(s.x, s.tx, s.T, LIMIT);
  if (cols === undefined || cols === 'larger') return undefined;
  const total = s.weight ? totalWeight(s.weight) : n;
  if (total === undefined) return undefined;
  const sumT = s.weight ? undefined : wholeSum(cols.rankT, cols.heldT, cols.maxT);
  const rankt = cols.rankt.slice(0, cols.maxT + 1);
  const rankT = cols.rankT.slice(0, cols.maxT + 1);
  const txValues = ranks(rankt, cols.maxT, cols.heldt);
  const TValues = ranks(rankT, cols.maxT, cols.heldT);
  const nT = TValues.length;
  if (txValues.length * nT > MAX_PAIRS) return undefined;
  const rankX = new Int32Array(cols.maxX + 1);
  for (let v = 0; v <= cols.maxX; v++) rankX[v] = cols.countX[v]! > 0 ? 1 : 0;
  const xValues = ranks(rankX, cols.maxX, undefined);
  const nx = xValues.length;
  // Customers by x (a stable counting sort), then distinct (t_x, T) pairs within each x group
  // through a pair table stamped with the group.
  const byX = new Int32Array(nx + 1);
  for (let k = 0; k < nx; k++) byX[k + 1] = byX[k]! + cols.countX[xValues[k]!]!;
  const order = new Uint32Array(n);
  scatterByX(cols.xi, rankX, byX.slice(0, nx), order);
  const nt = txValues.length;
  const pairs: PairKeys = { ti: cols.ti, Ti: cols.Ti, rankt, rankT, nT };
  primeGroupPairs();
  const rows = groupPairs(order, pairs, byX, nx, nt, s.weight, undefined);
  const m = rows.count;
  // Views, not copies: the pages past row m were never written, so they cost nothing.
  const index: RfmIndex = {
    xValues,
    txValues,
    TValues,
    rowX: new Uint32Array(0), // replaced below
    rowTx: rows.rowTx.subarray(0, m),
    rowT: rows.rowT.subarray(0, m),
    rowWeight: rows.rowWeight.subarray(0, m),
    groupStart: rows.groupStart,
    weightByX: rows.weightByX,
    rowOf: new Uint32Array(0), // replaced below
    totalWeight: total,
    customerOrder: order,
    customerStart: byX,
    // Whole numbers below 2^22, fewer than 2^31 of them: the sums are exact in any order. ΣT
    // only when every T is whole (in sevenths it is not exact, and the order of additions counts).
    sumX: s.weight ? undefined : cols.sumX,
    sumT,
  };
  // Each row's x rank, made when first read: BG/NBD and Gamma-Gamma never read it (each row's
  // group is its x), and every array written here is fresh memory (see `groupPairs`).
  Object.defineProperty(index, 'rowX', {
    enumerable: true,
    configurable: true,
    get: () => {
      const rowX = new Uint32Array(m);
      for (let k = 0; k < nx; k++) rowX.fill(k, rows.groupStart[k]!, rows.groupStart[k + 1]!);
      Object.defineProperty(index, 'rowX', { value: rowX, enumerable: true });
      return rowX;
    },
  });
  // Each customer's row, for predictions: the grouping pass again, made when first read. A fit
  // never reads it, and writing it costs 4 bytes of fresh memory per customer, at random places.
  Object.defineProperty(index, 'rowOf', {
    enumerable: true,
    configurable: true,
    get: () => {
      const rowOf = new Uint32Array(n);
      groupPairs(order, pairs, byX, nx, nt, s.weight, rowOf);
      Object.defineProperty(index, 'rowOf', { value: rowOf, enumerable: true });
      return rowOf;
    },
  });
  return index;
}

/** Empty integer columns for `rows` customers, with tables for values below `size`. */
export function newIntColumns(rows: number, size: number): IntColumns {
  const column = () => (size <= 1 << 16 ? new Uint16Array(rows) : new Int32Array(rows));
  return {
    xi: column(),
    ti: column(),
    Ti: column(),
    countX: new Int32Array(size),
    rankt: new Int32Array(size),
    rankT: new Int32Array(size),
    heldt: new Float64Array(size),
    heldT: new Float64Array(size),
    maxX: 0,
    maxT: 0,
    sumX: 0,
  };
}

/**
 * The conversion pass. Rows a fit would reject (t_x > T, t_x ≠ 0 with x = 0, negative, not whole)
 * make it return undefined, so the general path names them; a result here means every row passed
 * `validateSummary`'s checks on x, t_x and T. Undefined too when t_x or T is off the grid of
 * sevenths. 'larger' when a value does not fit the tables' `size` (the caller tries again with
 * larger tables: growing them inside the loop made it twice as long).
 */
function intColumns(
  x: Float64Array,
  tx: Float64Array,
  T: Float64Array,
  size: number,
): IntColumns | 'larger' | undefined {
  const n = x.length;
  const cols = newIntColumns(n, size);
  const { xi, ti, Ti, countX, rankt, rankT, heldt, heldT } = cols;
  let maxX = 0;
  let maxT = 0;
  let sumX = 0;
  for (let i = 0; i < n; i++) {
    const a = x[i]!;
    const b = tx[i]!;
    const c = T[i]!;
    // (v | 0) === v: a whole number in int32 range; NaN and negatives fail the range test.
    if ((a | 0) !== a || !(b >= 0) || a < 0 || b > c) return undefined;
    if (a === 0 && b !== 0) return undefined;
    const kt = Math.round(b * 7);
    const kT = Math.round(c * 7);
    if (!(Math.abs(b * 7 - kt) <= SEVENTHS_TOLERANCE && Math.abs(c * 7 - kT) <= SEVENTHS_TOLERANCE)) {
      return undefined;
    }
    if (a >= size || kT >= size) return a >= LIMIT || kT >= LIMIT ? undefined : 'larger'; // t_x ≤ T
    if (rankt[kt]!++ === 0) heldt[kt] = b;
    else if (heldt[kt] !== b) return undefined;
    if (rankT[kT]!++ === 0) heldT[kT] = c;
    else if (heldT[kT] !== c) return undefined;
    xi[i] = a;
    ti[i] = kt;
    Ti[i] = kT;
    countX[a]!++;
    if (a > maxX) maxX = a;
    if (kT > maxT) maxT = kT;
    sumX += a;
  }
  cols.maxX = maxX;
  cols.maxT = maxT;
  cols.sumX = sumX;
  return cols;
}

/**
 * ΣT over the customers from the counts per slot, when every T is a whole number (then the sum is
 * exact in any order, as the general path's); undefined otherwise.
 */
function wholeSum(count: Int32Array, held: Float64Array, max: number): number | undefined {
  let sum = 0;
  for (let k = 0; k <= max; k++) {
    const c = count[k]!;
    if (c === 0) continue;
    const v = held[k]!;
    if (!Number.isInteger(v)) return undefined;
    sum += c * v;
  }
  return sum;
}

/** Σ weights, or undefined when one is negative or not finite (the general path names it). */
function totalWeight(wt: Float64Array): number | undefined {
  let total = 0;
  for (let i = 0; i < wt.length; i++) {
    const w = wt[i]!;
    if (!(w >= 0 && w < Number.POSITIVE_INFINITY)) return undefined;
    total += w;
  }
  return total;
}

/** The counting sort's scatter: customers in x order, stable (input order within each x). */
function scatterByX(
  xi: Uint16Array | Int32Array,
  rankX: Int32Array,
  fill: Int32Array,
  order: Uint32Array,
): void {
  for (let i = 0; i < xi.length; i++) order[fill[rankX[xi[i]!]!]!++] = i;
}

/**
 * What makes a customer's (t_x, T) pair key, rank(t_x) · nT + rank(T): its slots and the slots'
 * ranks. The grouping pass reads the slots through `order`; within an x group that is a forward
 * sweep (the sort is stable). Writing the keys beside `order` instead, so that the pass read them
 * sequentially, cost 4 bytes of fresh memory per customer: on the benchmark machine a first write
 * to a page costs 15–25 µs, ≈ 20 ms for the million customers, more than the reads it saved.
 */
interface PairKeys {
  ti: Uint16Array | Int32Array;
  Ti: Uint16Array | Int32Array;
  rankt: Int32Array;
  rankT: Int32Array;
  nT: number;
}

/** The index's row arrays, sized for every customer (the first `count` are used). */
type PairRows = Pick<RfmIndex, 'rowTx' | 'rowT' | 'rowWeight' | 'groupStart' | 'weightByX'> & {
  count: number;
};

/**
 * Distinct (t_x, T) pairs within each x group, in order of first appearance, with their weights;
 * with `rowOf`, also each customer's row (the same rows every time: the pass is deterministic).
 */
function groupPairs(
  order: Uint32Array,
  keys: PairKeys,
  byX: Int32Array,
  nx: number,
  nt: number,
  wt: Float64Array | undefined,
  rowOf: Uint32Array | undefined,
): PairRows {
  const n = order.length;
  const { ti, Ti, rankt, rankT, nT } = keys;
  // slot[pair] is 1 + the last row made for the pair (0: none yet; zeroed memory needs no fill,
  // and the pages of pairs that never occur, t_x > T, are never touched). Rows are numbered in
  // order, so the pair has a row in the current group exactly when that row is at least the
  // group's first row.
  const slot = new Int32Array(nt * nT);
  const rowWeight = new Float64Array(n);
  const weightByX = new Float64Array(nx);
  const rowTx = new Uint32Array(n);
  const rowT = new Uint32Array(n);
  const groupStart = new Uint32Array(nx + 1);
  let m = 0;
  let k = 0;
  let firstRow = 0;
  let groupEnd = byX[1]!;
  // One loop over the customers in x order; the group changes where byX says.
  for (let q = 0; q < n; q++) {
    while (q === groupEnd) {
      if (!wt) weightByX[k] = groupEnd - byX[k]!;
      groupStart[++k] = m;
      firstRow = m;
      groupEnd = byX[k + 1]!;
    }
    const i = order[q]!;
    const a = rankt[ti[i]!]!;
    const pair = a * nT + rankT[Ti[i]!]!;
    let r = slot[pair]! - 1;
    if (r < firstRow) {
      r = m;
      slot[pair] = m + 1;
      rowTx[m] = a;
      rowT[m] = pair - a * nT;
      m++;
    }
    if (rowOf) rowOf[i] = r;
    // Customers of a row are met in input order, so each row's weight adds up in the same order
    // as on the general path, and so does each x group's.
    const w = wt ? wt[i]! : 1;
    rowWeight[r]! += w;
    if (wt) weightByX[k]! += w;
  }
  while (k < nx) {
    if (!wt) weightByX[k] = groupEnd - byX[k]!;
    groupStart[++k] = m;
    groupEnd = byX[k + 1] ?? n;
  }
  return { count: m, rowTx, rowT, rowWeight, groupStart, weightByX };
}

let primed = false;

/**
 * Runs `groupPairs` once, in the interpreter, on three made-up customers that take every path (a
 * new and a seen pair, a change of x group, the groups after the last customer), so that V8 has
 * type feedback for all of it before it compiles the real loop on-stack. Compiled during the
 * first x group without it, the loop bailed out at the first change of group and again after the
 * loop (`--trace-deopt`), running interpreted until each recompile.
 */
function primeGroupPairs(): void {
  if (primed) return;
  primed = true;
  const keys: PairKeys = {
    ti: Uint16Array.of(0, 0, 0),
    Ti: Uint16Array.of(0, 0, 1),
    rankt: Int32Array.of(0),
    rankT: Int32Array.of(0, 1),
    nT: 2,
  };
  groupPairs(Uint32Array.of(0, 1, 2), keys, Int32Array.of(0, 2, 3), 2, 1, undefined, undefined);
}

/**
 * Turns a table of counts (non-zero where a slot occurs, up to `max`) into ranks in place; returns
 * the values in order: each slot's held value, or the slot itself without `held`.
 */
function ranks(table: Int32Array, max: number, held: Float64Array | undefined): Float64Array {
  let k = 0;
  for (let v = 0; v <= max; v++) if (table[v] !== 0) k++;
  const values = new Float64Array(k);
  k = 0;
  for (let v = 0; v <= max; v++) {
    if (table[v] !== 0) {
      values[k] = held ? held[v]! : v;
      table[v] = k++;
    }
  }
  return values;
}
