/**
 * The repeat buyers of a summary, prepared for the Gamma-Gamma likelihood: grouped by x, with
 * buyers of the same x and the same mean spend merged into one weighted row. Spends recorded to
 * the cent (or the yen) repeat a lot, so a million customers compress to a fraction of the rows.
 */
import { ClvError } from './errors.ts';
import type { RfmIndex, RfmSummary } from './summary.ts';
import { indexDistinct } from './summary.ts';

export interface SpendData {
  xValues: Float64Array;
  groupStart: Uint32Array;
  /** Per distinct x: Σ w and Σ w ln m̄. */
  weightByX: Float64Array;
  logSpendByX: Float64Array;
  /** Per row (distinct (x, m̄), grouped by x): x·m̄ and Σ w. */
  xm: Float64Array;
  w: Float64Array;
  total: number;
}

/** Mean spends on a grid of 1/100 below this many steps merge through a direct-address table. */
const MAX_CENTS = 1 << 23;

/**
 * Repeat buyers grouped by x, ready for `gammaGammaNegLogLik`. `sorted`, when given, must be the
 * integer compression of this same summary (a BG/NBD fit's index): its customers in x order replace
 * this function's own sort by x. The result is identical either way.
 */
export function prepareSpend(s: RfmSummary, sorted?: RfmIndex): SpendData {
  // The CSV reader's whole cents when it has them: `monetary` is then not made at all.
  const cents = s.monetaryCents;
  if (sorted?.customerOrder && sorted.customerStart && !s.weight) {
    const spends = cents ? { cents, m: undefined } : { cents: undefined, m: s.monetary };
    const length = spends.cents?.length ?? spends.m?.length;
    if (length === sorted.customerOrder.length) {
      const d = fromXOrder(spends, sorted.xValues, sorted.customerOrder, sorted.customerStart);
      if (d) return d;
    }
  }
  const m = s.monetary;
  if (!m)
    throw new ClvError('invalid_input', 'Gamma-Gamma needs monetary_value', { field: 'monetary_value' });
  const n = s.x.length;
  const keep = new Uint32Array(n);
  let kept = 0;
  let onGrid = true;
  let maxCents = 0;
  // Buyers per whole-number x, counted on the way (day- or period-level data); `counts` is
  // undefined once an x is not a whole number below 2^22, and `distinctX` takes over.
  let counts: Int32Array | undefined = new Int32Array(64);
  for (let i = 0; i < n; i++) {
    const x = s.x[i]!;
    const w = s.weight ? s.weight[i]! : 1;
    if (!(x >= 0 && x < Number.POSITIVE_INFINITY)) {
      throw new ClvError('invalid_input', `row ${i}: x is not a non-negative number (${x})`, {
        field: 'x',
        row: i,
      });
    }
    if (!(w >= 0 && w < Number.POSITIVE_INFINITY)) {
      throw new ClvError('invalid_input', `row ${i}: weight is not a non-negative number (${w})`, {
        field: 'weight',
        row: i,
      });
    }
    if (x === 0 || w === 0) continue;
    const v = m[i]!;
    if (!(v > 0 && v < Number.POSITIVE_INFINITY)) {
      throw new ClvError(
        'invalid_input',
        `row ${i}: monetary_value must be a positive number for a repeat buyer (got ${v})`,
        { field: 'monetary_value', row: i },
      );
    }
    if (onGrid) {
      const c = Math.round(v * 100);
      if (c / 100 !== v || c >= MAX_CENTS) onGrid = false;
      else if (c > maxCents) maxCents = c;
    }
    keep[kept++] = i;
    if (counts) {
      if ((x | 0) !== x || x >= 1 << 22) counts = undefined;
      else {
        let c: Int32Array = counts;
        if (x >= c.length) {
          const grown: Int32Array = new Int32Array(Math.max(2 * c.length, x + 1));
          grown.set(c);
          c = grown;
          counts = grown;
        }
        c[x]!++;
      }
    }
  }
  // Distinct x (sorted) and, per x value, its rank: from the counts when x are whole numbers,
  // else through `indexDistinct`.
  let xValues: Float64Array;
  let xIndex: Uint32Array | undefined;
  let rankOf: Int32Array | undefined;
  if (counts) {
    let nx = 0;
    for (let v = 0; v < counts.length; v++) if (counts[v] !== 0) nx++;
    xValues = new Float64Array(nx);
    rankOf = new Int32Array(counts.length);
    nx = 0;
    for (let v = 0; v < counts.length; v++) {
      if (counts[v] !== 0) {
        xValues[nx] = v;
        rankOf[v] = nx++;
      }
    }
  } else ({ values: xValues, index: xIndex } = distinctX(s.x, keep, kept));
  const nx = xValues.length;
  // Buyers by x (a stable counting sort).
  const byX = new Int32Array(nx + 1);
  if (counts) for (let k = 0; k < nx; k++) byX[k + 1] = byX[k]! + counts[xValues[k]!]!;
  else {
    for (let j = 0; j < kept; j++) byX[xIndex![j]! + 1]!++;
    for (let k = 0; k < nx; k++) byX[k + 1]! += byX[k]!;
  }
  const fill = byX.slice(0, nx);
  // Scatter each buyer's m̄ and weight into x order, so the pass below reads sequentially.
  const sortedM = new Float64Array(kept);
  const sortedW = s.weight ? new Float64Array(kept) : undefined;
  for (let j = 0; j < kept; j++) {
    const i = keep[j]!;
    const at = fill[rankOf ? rankOf[s.x[i]!]! : xIndex![j]!]!++;
    sortedM[at] = m[i]!;
    if (sortedW) sortedW[at] = s.weight![i]!;
  }
  // Within each x group, one row per distinct m̄: a table over cents stamped with the group.
  const slotGroup = onGrid ? new Int32Array(maxCents + 1).fill(-1) : undefined;
  const slotRow = onGrid ? new Int32Array(maxCents + 1) : undefined;
  const rowM = new Float64Array(kept);
  const w = new Float64Array(kept);
  const groupStart = new Uint32Array(nx + 1);
  const weightByX = new Float64Array(nx);
  const logSpendByX = new Float64Array(nx);
  let rows = 0;
  let total = 0;
  for (let k = 0; k < nx; k++) {
    const end = byX[k + 1]!;
    for (let q = byX[k]!; q < end; q++) {
      const v = sortedM[q]!;
      const wi = sortedW ? sortedW[q]! : 1;
      let r = rows;
      if (slotGroup && slotRow) {
        const c = Math.round(v * 100);
        if (slotGroup[c] === k) r = slotRow[c]!;
        else {
          slotGroup[c] = k;
          slotRow[c] = rows;
        }
      }
      if (r === rows) rowM[rows++] = v;
      w[r]! += wi;
      weightByX[k]! += wi;
      total += wi;
    }
    groupStart[k + 1] = rows;
    for (let j = groupStart[k]!; j < rows; j++) logSpendByX[k]! += w[j]! * Math.log(rowM[j]!);
  }
  const xm = new Float64Array(rows);
  for (let k = 0; k < nx; k++) {
    for (let j = groupStart[k]!; j < groupStart[k + 1]!; j++) xm[j] = xValues[k]! * rowM[j]!;
  }
  return { xValues, groupStart, weightByX, logSpendByX, xm, w: w.slice(0, rows), total };
}

/**
 * `prepareSpend` on unweighted whole-number data whose customers are already sorted by x (the
 * integer compression's order; x and t_x were checked there). Same rows, same order of additions,
 * so the same doubles, as the general path. Undefined when some buyer's m̄ is not a positive
 * number: the general path then names the row.
 */
function fromXOrder(
  spends: { cents: Int32Array | undefined; m: Float64Array | undefined },
  xAll: Float64Array,
  order: Uint32Array,
  start: Int32Array,
): SpendData | undefined {
  // x groups of the buyers: every group but x = 0 (the first, when present).
  const first = xAll.length > 0 && xAll[0] === 0 ? 1 : 0;
  const nx = xAll.length - first;
  const xValues = xAll.slice(first);
  const kept = start[xAll.length]! - start[first]!;
  const rowM = new Float64Array(kept);
  const w = new Float64Array(kept);
  const groupStart = new Uint32Array(nx + 1);
  const weightByX = new Float64Array(nx);
  const groups = { ...spends, order, start, first, nx, rowM, w, groupStart, weightByX };
  // On the cent grid, buyers of one x with the same m̄ merge; the first m̄ off the grid (rare)
  // starts the grouping again without merging, as the general path does. The cent tables start
  // at 2^20 cents (10,485.75 in yen or dollars) and grow to MAX_CENTS only when a spend needs it:
  // large typed arrays, even untouched, make V8 collect garbage for "external memory pressure".
  primeGroupSpends();
  let total = groupSpends(groups, 1 << 20);
  if (total === LARGER) {
    w.fill(0);
    total = groupSpends(groups, MAX_CENTS);
  }
  if (total === OFF_GRID || total === LARGER) {
    w.fill(0);
    total = groupSpends(groups, 0);
  }
  if (total === INVALID) return undefined;
  const rows = groupStart[nx]!;
  const logSpendByX = new Float64Array(nx);
  const xm = new Float64Array(rows);
  for (let k = 0; k < nx; k++) {
    for (let j = groupStart[k]!; j < groupStart[k + 1]!; j++) {
      logSpendByX[k]! += w[j]! * Math.log(rowM[j]!);
      xm[j] = xValues[k]! * rowM[j]!;
    }
  }
  return { xValues, groupStart, weightByX, logSpendByX, xm, w: w.subarray(0, rows), total };
}

const INVALID = -2;
const OFF_GRID = -1;
const LARGER = -3;

/** The buyers in x order and where `groupSpends` puts their rows. */
interface SpendGroups {
  /** Each customer's m̄: in whole cents, or as doubles. */
  cents: Int32Array | undefined;
  m: Float64Array | undefined;
  order: Uint32Array;
  start: Int32Array;
  /** Buyers are groups first … first + nx − 1 of `order`. */
  first: number;
  nx: number;
  rowM: Float64Array;
  w: Float64Array;
  groupStart: Uint32Array;
  weightByX: Float64Array;
}

/**
 * Buyers in x order, one row per distinct m̄ within each x group (on the cent grid, through a
 * table of `tableSize` cents stamped with the group; with `tableSize` 0, one row per buyer). Fills rowM,
 * w, groupStart and weightByX; returns the number of buyers, INVALID when some m̄ is not a positive
 * number, OFF_GRID when some m̄ is not on the cent grid, LARGER when one is past the table.
 *
 * The cent tables span the whole grid but are never filled: a zero stamp means empty (stamps are
 * group + 1), so only the pages of the cents that occur are ever written.
 */
function groupSpends(g: SpendGroups, tableSize: number): number {
  const { m, order, start, first, nx, rowM, w, groupStart, weightByX } = g;
  const inCents = g.cents ?? new Int32Array(0);
  const fromCents = g.cents !== undefined;
  const onGrid = tableSize > 0;
  const slotGroup = new Int32Array(tableSize);
  const slotRow = new Int32Array(tableSize);
  const begin = start[first]!;
  const end = start[first + nx]!;
  let rows = 0;
  let k = 0;
  let groupEnd = start[first + 1]!;
  for (let q = begin; q < end; q++) {
    while (q === groupEnd) {
      weightByX[k] = groupEnd - start[first + k]!;
      groupStart[++k] = rows;
      groupEnd = start[first + k + 1]!;
    }
    let v: number;
    let c: number;
    if (fromCents) {
      c = inCents[order[q]!]!;
      v = c / 100; // the file's own value (the reader checked)
      if (!(c > 0)) return INVALID;
    } else {
      v = m![order[q]!]!;
      if (!(v > 0 && v < Number.POSITIVE_INFINITY)) return INVALID;
      c = Math.round(v * 100);
      if (onGrid && c / 100 !== v) return OFF_GRID;
    }
    let r = rows;
    if (onGrid) {
      if (c >= tableSize) return LARGER;
      if (slotGroup[c] === k + 1) r = slotRow[c]!;
      else {
        slotGroup[c] = k + 1;
        slotRow[c] = rows;
      }
    }
    if (r === rows) rowM[rows++] = v;
    w[r]! += 1;
  }
  while (k < nx) {
    weightByX[k] = groupEnd - start[first + k]!;
    groupStart[++k] = rows;
    groupEnd = start[first + k + 1] ?? end;
  }
  return end - begin;
}

let primedGroups = false;

/**
 * Runs `groupSpends` once, in the interpreter, on three made-up buyers in whole cents that take
 * every path (a new and a seen m̄, a change of x group, the groups after the last buyer), so that
 * V8 has type feedback for all of it before it compiles the real loop on-stack: compiled during
 * the first x group without it, the loop bailed out at the first change of group and again after
 * the loop (`--trace-deopt`).
 */
function primeGroupSpends(): void {
  if (primedGroups) return;
  primedGroups = true;
  groupSpends(
    {
      cents: Int32Array.of(100, 100, 250),
      m: undefined,
      order: Uint32Array.of(0, 1, 2),
      start: Int32Array.of(0, 2, 3),
      first: 0,
      nx: 2,
      rowM: new Float64Array(3),
      w: new Float64Array(3),
      groupStart: new Uint32Array(3),
      weightByX: new Float64Array(2),
    },
    1024,
  );
}

/** The sorted distinct x of the kept buyers, and each kept buyer's rank among them. */
function distinctX(
  x: Float64Array,
  keep: Uint32Array,
  kept: number,
): { values: Float64Array; index: Uint32Array } {
  let max = 0;
  for (let j = 0; j < kept; j++) {
    const v = x[keep[j]!]!;
    if ((v | 0) !== v || v >= 1 << 22) {
      const xs = new Float64Array(kept);
      for (let q = 0; q < kept; q++) xs[q] = x[keep[q]!]!;
      return indexDistinct(xs);
    }
    if (v > max) max = v;
  }
  const rank = new Int32Array(max + 1);
  for (let j = 0; j < kept; j++) rank[x[keep[j]!]!] = 1;
  let count = 0;
  for (let v = 0; v <= max; v++) if (rank[v] !== 0) count++;
  const values = new Float64Array(count);
  count = 0;
  for (let v = 0; v <= max; v++) {
    if (rank[v] !== 0) {
      values[count] = v;
      rank[v] = count++;
    }
  }
  const index = new Uint32Array(kept);
  for (let j = 0; j < kept; j++) index[j] = rank[x[keep[j]!]!]!;
  return { values, index };
}

/**
 * A subsample for warm-starting the fit, as `subsampleIndex` does for the purchase models: rows
 * of at least `step` customers are kept whole, of the rest every `step`-th row per x group with
 * `step` times its weight.
 */
export function subsampleSpend(d: SpendData, step: number): SpendData {
  const nx = d.xValues.length;
  const m = d.w.length;
  const xm = new Float64Array(m);
  const w = new Float64Array(m);
  const groupStart = new Uint32Array(nx + 1);
  const weightByX = new Float64Array(nx);
  const logSpendByX = new Float64Array(nx);
  let kept = 0;
  let total = 0;
  for (let k = 0; k < nx; k++) {
    let light = 0;
    const x = d.xValues[k]!;
    const end = d.groupStart[k + 1]!;
    for (let j = d.groupStart[k]!; j < end; j++) {
      const wj = d.w[j]!;
      let keptW = 0;
      if (wj >= step) keptW = wj;
      else if (light++ % step === 0) keptW = wj * step;
      if (keptW === 0) continue;
      xm[kept] = d.xm[j]!;
      w[kept] = keptW;
      kept++;
      weightByX[k]! += keptW;
      logSpendByX[k]! += keptW * Math.log(d.xm[j]! / x);
      total += keptW;
    }
    groupStart[k + 1] = kept;
  }
  return {
    xValues: d.xValues,
    groupStart,
    weightByX,
    logSpendByX,
    // Views, not copies (fresh memory: see compress-int.ts).
    xm: xm.subarray(0, kept),
    w: w.subarray(0, kept),
    total,
  };
}
