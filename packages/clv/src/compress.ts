/**
 * Compression of an RFM summary into distinct (x, t_x, T) rows with per-distinct-value indexes.
 * Day-granular data (whole numbers on a small range) takes a direct-address path in a few linear
 * passes; anything else goes through the general per-column indexes.
 */
import { compressIntegers } from './compress-int.ts';
import type { RfmIndex, RfmSummary } from './rfm-types.ts';

export type { RfmIndex } from './rfm-types.ts';

/** Distinct values of a column and, per row, the index of its value. Values come out sorted. */
export interface DistinctIndex {
  values: Float64Array;
  index: Uint32Array;
}

/**
 * Index the distinct values of a column. Day- and week-granular summaries hold few distinct values
 * on a fine grid (whole days, or weeks to 2 dp), so a direct-address table over the scaled values
 * does it in one pass; anything else falls back to a Map.
 */
export function indexDistinct(v: Float64Array): DistinctIndex {
  const n = v.length;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const a = v[i]!;
    if (a < min) min = a;
    if (a > max) max = a;
  }
  for (const scale of [1, 100, 7]) {
    const span = Math.round((max - min) * scale);
    if (n === 0 || span > 4_000_000) continue;
    const slots = onGrid(v, min, scale, span + 1);
    if (slots) return fromSlots(v, slots, span + 1);
  }
  const seen = new Map<number, number>();
  const index = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const a = v[i]!;
    let k = seen.get(a);
    if (k === undefined) {
      k = seen.size;
      seen.set(a, k);
    }
    index[i] = k;
  }
  return sortIndex(Float64Array.from(seen.keys()), index);
}

function onGrid(v: Float64Array, min: number, scale: number, size: number): Int32Array | undefined {
  const slots = new Int32Array(v.length);
  // Each slot must hold one double only; if two different values round to one slot, the grid is
  // too coarse for this column and the caller falls back to a Map.
  const held = new Float64Array(size).fill(Number.NaN);
  for (let i = 0; i < v.length; i++) {
    const a = v[i]!;
    const k = Math.round((a - min) * scale);
    const h = held[k]!;
    if (h !== a) {
      if (!Number.isNaN(h)) return undefined;
      held[k] = a;
    }
    slots[i] = k;
  }
  return slots;
}

function fromSlots(v: Float64Array, slots: Int32Array, size: number): DistinctIndex {
  const slotToIndex = new Int32Array(size).fill(-1);
  for (let i = 0; i < slots.length; i++) slotToIndex[slots[i]!] = 0;
  let k = 0;
  for (let s = 0; s < size; s++) if (slotToIndex[s] === 0) slotToIndex[s] = k++;
  const values = new Float64Array(k);
  const index = new Uint32Array(slots.length);
  for (let i = 0; i < slots.length; i++) {
    const j = slotToIndex[slots[i]!]!;
    index[i] = j;
    values[j] = v[i]!;
  }
  return { values, index };
}

function sortIndex(values: Float64Array, index: Uint32Array): DistinctIndex {
  const order = Array.from(values.keys()).sort((p, q) => values[p]! - values[q]!);
  const rank = new Uint32Array(values.length);
  order.forEach((o, r) => {
    rank[o] = r;
  });
  for (let i = 0; i < index.length; i++) index[i] = rank[index[i]!]!;
  return { values: Float64Array.from(order, (o) => values[o]!), index };
}

export function compressSummary(s: RfmSummary): RfmIndex {
  return compressIntegers(s) ?? compressGeneral(s);
}

/** The general path: any values, through `indexDistinct` per column. */
export function compressGeneral(s: RfmSummary): RfmIndex {
  const n = s.x.length;
  const xi = indexDistinct(s.x);
  const ti = indexDistinct(s.tx);
  const Ti = indexDistinct(s.T);
  const nt = ti.values.length;
  const nT = Ti.values.length;
  const nx = xi.values.length;
  // Customers by x (counting sort); then, within each x group, distinct (t_x, T) pairs through a
  // direct-address table stamped with the group, so no hashing is needed on day-level data.
  const byX = new Uint32Array(nx + 1);
  for (let i = 0; i < n; i++) byX[xi.index[i]! + 1]!++;
  for (let k = 0; k < nx; k++) byX[k + 1]! += byX[k]!;
  const fillX = byX.slice(0, nx);
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[fillX[xi.index[i]!]!++] = i;
  const pairs = nt * nT;
  const direct = pairs <= 1 << 24;
  const slotRow = direct ? new Int32Array(pairs) : undefined;
  const slotGroup = direct ? new Int32Array(pairs).fill(-1) : undefined;
  const rowOf = new Uint32Array(n);
  const rowX: number[] = [];
  const rowTx: number[] = [];
  const rowT: number[] = [];
  const groupStart = new Uint32Array(nx + 1);
  for (let k = 0; k < nx; k++) {
    const seen = direct ? undefined : new Map<number, number>();
    for (let q = byX[k]!; q < byX[k + 1]!; q++) {
      const i = order[q]!;
      const key = ti.index[i]! * nT + Ti.index[i]!;
      let r: number;
      if (slotRow && slotGroup) {
        if (slotGroup[key] !== k) {
          slotGroup[key] = k;
          slotRow[key] = rowX.length;
          rowX.push(k);
          rowTx.push(ti.index[i]!);
          rowT.push(Ti.index[i]!);
        }
        r = slotRow[key]!;
      } else {
        let found = seen!.get(key);
        if (found === undefined) {
          found = rowX.length;
          seen!.set(key, found);
          rowX.push(k);
          rowTx.push(ti.index[i]!);
          rowT.push(Ti.index[i]!);
        }
        r = found;
      }
      rowOf[i] = r;
    }
    groupStart[k + 1] = rowX.length;
  }
  const m = rowX.length;
  const rowWeight = new Float64Array(m);
  const weightByX = new Float64Array(nx);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const w = s.weight ? s.weight[i]! : 1;
    const r = rowOf[i]!;
    rowWeight[r]! += w;
    weightByX[rowX[r]!]! += w;
    total += w;
  }
  return {
    xValues: xi.values,
    txValues: ti.values,
    TValues: Ti.values,
    rowX: Uint32Array.from(rowX),
    rowTx: Uint32Array.from(rowTx),
    rowT: Uint32Array.from(rowT),
    rowWeight,
    groupStart,
    weightByX,
    rowOf,
    totalWeight: total,
  };
}

/**
 * A subsample of a compressed summary for warm-starting fits: rows heavier than `step` customers
 * are kept whole; of the rest, every `step`-th row of each x group is kept with `step` times its
 * weight. Each light row is kept with the same probability, so the subsample's log-likelihood
 * estimates the full one without bias.
 */
export function subsampleIndex(ix: RfmIndex, step: number): RfmIndex {
  primeSubsample();
  return keepRows(ix, step);
}

let primed = false;

/**
 * Runs `keepRows` once, in the interpreter, on a made-up index that takes every path (a heavy row,
 * light rows kept and skipped, two x groups), so that V8 has type feedback for all of it before it
 * compiles the real loop on-stack: compiled without it, the loop bailed out after its last row
 * (`--trace-deopt`), and the rest ran interpreted.
 */
function primeSubsample(): void {
  if (primed) return;
  primed = true;
  const u = () => Uint32Array.of(0, 0, 0, 0);
  const ix: RfmIndex = {
    xValues: Float64Array.of(0, 1),
    txValues: Float64Array.of(0),
    TValues: Float64Array.of(1),
    rowX: Uint32Array.of(0, 0, 0, 1),
    rowTx: u(),
    rowT: u(),
    rowWeight: Float64Array.of(5, 1, 1, 1),
    groupStart: Uint32Array.of(0, 3, 4),
    weightByX: Float64Array.of(7, 1),
    rowOf: new Uint32Array(0),
    totalWeight: 8,
  };
  keepRows(ix, 2);
}

function keepRows(ix: RfmIndex, step: number): RfmIndex {
  const nx = ix.xValues.length;
  const m = ix.rowWeight.length;
  const groupStart = new Uint32Array(nx + 1);
  const weightByX = new Float64Array(nx);
  // Typed arrays sized for the worst case (every row kept) and trimmed at the end: no boxed
  // number arrays, no per-element callbacks.
  const rowX = new Uint32Array(m);
  const rowTx = new Uint32Array(m);
  const rowT = new Uint32Array(m);
  const rowWeight = new Float64Array(m);
  let kept = 0;
  let total = 0;
  for (let k = 0; k < nx; k++) {
    let light = 0;
    const end = ix.groupStart[k + 1]!;
    for (let j = ix.groupStart[k]!; j < end; j++) {
      const w = ix.rowWeight[j]!;
      let keptW = 0;
      if (w >= step) keptW = w;
      else if (light++ % step === 0) keptW = w * step;
      if (keptW === 0) continue;
      rowX[kept] = k; // a row's x rank is its group's (read from ix.rowX, the integer path would make that array)
      rowTx[kept] = ix.rowTx[j]!;
      rowT[kept] = ix.rowT[j]!;
      rowWeight[kept] = keptW;
      kept++;
      weightByX[k]! += keptW;
      total += keptW;
    }
    groupStart[k + 1] = kept;
  }
  // Named one by one, not spread: a spread would read `rowOf`, which the integer path makes only
  // when first read (see compress-int.ts).
  return {
    xValues: ix.xValues,
    txValues: ix.txValues,
    TValues: ix.TValues,
    customerOrder: ix.customerOrder,
    customerStart: ix.customerStart,
    sumX: ix.sumX,
    sumT: ix.sumT,
    // Views, not copies: the pages past row `kept` were never written, so they cost nothing, and
    // a copy is fresh memory (see compress-int.ts).
    rowX: rowX.subarray(0, kept),
    rowTx: rowTx.subarray(0, kept),
    rowT: rowT.subarray(0, kept),
    rowWeight: rowWeight.subarray(0, kept),
    groupStart,
    weightByX,
    rowOf: new Uint32Array(0),
    totalWeight: total,
  };
}
