/**
 * The fast path of `compressSummary` for day- or period-granular data: x, t_x and T are whole
 * numbers below 2^22, so every distinct value and every (t_x, T) pair has a slot in a flat table.
 * A few linear passes replace per-column sorting and hashing. The result is identical, row for
 * row and weight for weight, to the general path (`compressGeneral`), so fits do not change.
 */
import type { RfmIndex } from './compress.ts';
import type { RfmSummary } from './summary.ts';

const LIMIT = 1 << 22;
const MAX_PAIRS = 1 << 24;

/** Undefined when the data is not on a small integer grid; the caller then takes the general path. */
export function compressIntegers(s: RfmSummary): RfmIndex | undefined {
  const { x, tx, T } = s;
  const n = x.length;
  if (n === 0) return undefined;
  // Int32 copies: indexing with an int32 is much cheaper than with a double. The same pass counts
  // customers per x and marks the t_x and T values present, in tables grown as larger values
  // appear (few times: each growth at least doubles).
  const xi = new Int32Array(n);
  const ti = new Int32Array(n);
  const Ti = new Int32Array(n);
  let countX = new Int32Array(64);
  let rankt = new Int32Array(1024);
  let rankT = new Int32Array(1024);
  let sumX = 0;
  let sumT = 0;
  for (let i = 0; i < n; i++) {
    const a = x[i]!;
    const b = tx[i]!;
    const c = T[i]!;
    // (v | 0) === v: a whole number in int32 range; NaN and negatives fail the range test.
    // Rows a fit would reject (t_x > T, t_x ≠ 0 with x = 0) also take the general path, so a
    // result here means every row passed `validateSummary`'s checks on x, t_x and T.
    if ((a | 0) !== a || (b | 0) !== b || (c | 0) !== c || a < 0 || b < 0 || b > c) return undefined;
    if (a === 0 && b !== 0) return undefined;
    if (a >= LIMIT || c >= LIMIT) return undefined; // t_x ≤ T
    xi[i] = a;
    ti[i] = b;
    Ti[i] = c;
    if (a >= countX.length) countX = grown(countX, a);
    if (b >= rankt.length) rankt = grown(rankt, b);
    if (c >= rankT.length) rankT = grown(rankT, c);
    countX[a]!++;
    rankt[b] = 1;
    rankT[c] = 1;
    sumX += a;
    sumT += c;
  }
  const txValues = ranks(rankt);
  const TValues = ranks(rankT);
  const nt = txValues.length;
  const nT = TValues.length;
  if (nt * nT > MAX_PAIRS) return undefined;
  const rankX = new Int32Array(countX.length);
  for (let v = 0; v < countX.length; v++) rankX[v] = countX[v]! > 0 ? 1 : 0;
  const xValues = ranks(rankX);
  const nx = xValues.length;
  // Customers by x (a stable counting sort), then distinct (t_x, T) pairs within each x group
  // through a pair table stamped with the group.
  const byX = new Int32Array(nx + 1);
  for (let k = 0; k < nx; k++) byX[k + 1] = byX[k]! + countX[xValues[k]!]!;
  const fill = byX.slice(0, nx);
  // The scatter also writes each customer's (t_x, T) pair key next to its index, so the grouping
  // pass below reads both sequentially instead of gathering t_x and T through `order`.
  const order = new Uint32Array(n);
  const pairOf = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const at = fill[rankX[xi[i]!]!]!++;
    order[at] = i;
    pairOf[at] = rankt[ti[i]!]! * nT + rankT[Ti[i]!]!;
  }
  // slot[2·key] is the group that last saw the pair, slot[2·key+1] its row in that group: one
  // cache line per lookup.
  const slot = new Int32Array(2 * nt * nT).fill(-1);
  const wt = s.weight;
  const rowWeight = new Float64Array(n);
  const weightByX = new Float64Array(nx);
  const rowOf = new Uint32Array(n);
  const rowX = new Uint32Array(n);
  const rowTx = new Uint32Array(n);
  const rowT = new Uint32Array(n);
  const groupStart = new Uint32Array(nx + 1);
  let m = 0;
  for (let k = 0; k < nx; k++) {
    const begin = byX[k]!;
    const end = byX[k + 1]!;
    for (let q = begin; q < end; q++) {
      const pair = pairOf[q]!;
      const key = 2 * pair;
      let r = slot[key + 1]!;
      if (slot[key] !== k) {
        slot[key] = k;
        slot[key + 1] = m;
        r = m;
        const a = (pair / nT) | 0;
        rowX[m] = k;
        rowTx[m] = a;
        rowT[m] = pair - a * nT;
        m++;
      }
      const i = order[q]!;
      rowOf[i] = r;
      // Customers of a row are met in input order, so each row's weight adds up in the same order
      // as on the general path, and so does each x group's.
      if (wt) {
        const w = wt[i]!;
        rowWeight[r]! += w;
        weightByX[k]! += w;
      } else rowWeight[r]! += 1;
    }
    if (!wt) weightByX[k] = end - begin;
    groupStart[k + 1] = m;
  }
  let total = n;
  if (wt) {
    total = 0;
    for (let i = 0; i < n; i++) {
      const w = wt[i]!;
      if (!(w >= 0 && w < Number.POSITIVE_INFINITY)) return undefined; // as above, for weights
      total += w;
    }
  }
  return {
    xValues,
    txValues,
    TValues,
    rowX: rowX.slice(0, m),
    rowTx: rowTx.slice(0, m),
    rowT: rowT.slice(0, m),
    rowWeight: rowWeight.slice(0, m),
    groupStart,
    weightByX,
    rowOf,
    totalWeight: total,
    customerOrder: order,
    customerStart: byX,
    // Whole numbers below 2^22, fewer than 2^31 of them: the sums are exact in any order.
    sumX: wt ? undefined : sumX,
    sumT: wt ? undefined : sumT,
  };
}

/** A copy of `table` long enough to index `v` (< LIMIT). */
function grown(table: Int32Array, v: number): Int32Array<ArrayBuffer> {
  const out = new Int32Array(Math.min(LIMIT, Math.max(2 * table.length, v + 1)));
  out.set(table);
  return out;
}

/** Turns a presence table (1 where a value occurs) into ranks in place; returns the values in order. */
function ranks(table: Int32Array): Float64Array {
  let k = 0;
  for (let v = 0; v < table.length; v++) if (table[v] !== 0) k++;
  const values = new Float64Array(k);
  k = 0;
  for (let v = 0; v < table.length; v++) {
    if (table[v] !== 0) {
      values[k] = v;
      table[v] = k++;
    }
  }
  return values;
}
