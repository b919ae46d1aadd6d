/**
 * The shapes the fits share: the RFM summary, its compression into weighted rows and the integer
 * columns. Types only, so summary.ts, compress.ts and compress-int.ts can all import them without
 * importing each other in a circle.
 */

/**
 * One row per customer (or per group of identical customers, with `weight`).
 * x: repeat purchase periods; tx: time of the last repeat purchase since the first purchase
 * (0 when x = 0); T: time from the first purchase to the end of calibration.
 */
export interface RfmSummary {
  x: Float64Array;
  tx: Float64Array;
  T: Float64Array;
  /** Number of customers each row stands for; 1 each when absent. */
  weight?: Float64Array | undefined;
  /** Mean spend of the repeat purchases (0 or anything when x = 0). */
  monetary?: Float64Array | undefined;
  /**
   * x, t_x and T already converted to integer columns with their counts (the summary CSV reader
   * makes them while parsing day-level data); the integer compression then skips its own first
   * pass. Only for arrays nobody changes afterwards.
   */
  intColumns?: IntColumns | undefined;
  /**
   * `monetary` in whole cents (each value exactly cents / 100), when the summary CSV reader found
   * every value to be one; its `monetary` is then made only when read, and Gamma-Gamma's fit reads
   * these instead. Only for arrays nobody changes afterwards.
   */
  monetaryCents?: Int32Array | undefined;
}

/**
 * A summary compressed to distinct (x, t_x, T) rows, sorted by x, with the distinct values of each
 * column. The likelihoods evaluate logs and special functions per distinct value and only the
 * cheap combination per row.
 */
export interface RfmIndex {
  xValues: Float64Array;
  txValues: Float64Array;
  TValues: Float64Array;
  /**
   * Compressed rows: index into xValues / txValues / TValues, and total weight. rowX[j] is the
   * row's group k (the integer path makes it only when read).
   */
  rowX: Uint32Array;
  rowTx: Uint32Array;
  rowT: Uint32Array;
  rowWeight: Float64Array;
  /** Compressed rows of x-group k are groupStart[k] .. groupStart[k+1]-1. */
  groupStart: Uint32Array;
  /** Total weight per distinct x. */
  weightByX: Float64Array;
  /** For each input row, its compressed row. */
  rowOf: Uint32Array;
  totalWeight: number;
  /**
   * Integer path only: the input rows in x order (stable, so input order within an x group);
   * the rows of x group k are customerOrder[customerStart[k]] … customerOrder[customerStart[k+1]−1].
   * Gamma-Gamma's preparation reuses it instead of sorting the buyers by x again.
   */
  customerOrder?: Uint32Array | undefined;
  customerStart?: Int32Array | undefined;
  /**
   * Integer path without weights only: Σx and ΣT over the customers (exact integer sums). Like
   * `customerOrder`, per customer: a subsample carries the full data's values unchanged.
   */
  sumX?: number | undefined;
  sumT?: number | undefined;
}

/**
 * x and the slots of t_x and T as Int32 columns, with counts per x and the slots present: the
 * first pass of the integer compression. The summary CSV reader makes it while parsing
 * (RfmSummary's `intColumns`); otherwise `intColumns` below.
 */
export interface IntColumns {
  /** Uint16 when the tables are 2^16 long (2 bytes of fresh memory per customer, not 4). */
  xi: Uint16Array | Int32Array;
  /** round(7 t_x) and round(7 T): slots on the grid of sevenths. */
  ti: Uint16Array | Int32Array;
  Ti: Uint16Array | Int32Array;
  /** Customers per x value (0 … maxX). */
  countX: Int32Array;
  /** Customers per t_x (T) slot (left as they are: several fits may share these columns). */
  rankt: Int32Array;
  rankT: Int32Array;
  /** The value held in each slot that occurs. */
  heldt: Float64Array;
  heldT: Float64Array;
  maxX: number;
  /** The largest slot of T (t_x ≤ T). */
  maxT: number;
  sumX: number;
}
