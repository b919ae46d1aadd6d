/**
 * The analytic Hessian of the BG/NBD and MBG/NBD negative log-likelihood (bg-kernel.ts) in
 * (r, α, a, b), for the standard errors: one pass over the rows where differencing the gradient
 * took four full evaluations.
 *
 * Per customer LL = A1 + A2 + ln(e^A3 + e^A4) (terms as in bg-kernel.ts). With s = sigmoid(A4 − A3)
 * and D = ∇A4 − ∇A3, the last term's Hessian is (1−s)∇²A3 + s∇²A4 + s(1−s) D Dᵀ, where
 *   ∇A3 = (−ln(α+T), −(r+x)/(α+T), 0, 0),  ∇A4 = (−ln(α+t_x), −(r+x)/(α+t_x), 1/a, −1/c),
 *   c = b+x−1 (MBG/NBD: b+x), so D = (ln(α+T) − ln(α+t_x), (r+x)(1/(α+T) − 1/(α+t_x)), 1/a, −1/c);
 *   ∂rα A3 = −1/(α+T), ∂αα A3 = (r+x)/(α+T)², likewise for A4 with t_x, ∂aa A4 = −1/a², ∂bb A4 = 1/c².
 * A1 and A2 depend on x alone: ψ' per distinct x. BG/NBD's x = 0 customers have no A4 (s = 0).
 */
import type { RfmIndex } from './compress.ts';
import { trigamma } from './special.ts';

/** Sums per x group that `hessianRowSums` writes (see there). */
const SUMS = 11;

/** ∇²(−LL/n) in (r, α, a, b), row-major 4 × 4. */
export function bgNegLogLikHessian(ix: RfmIndex, modified: boolean, theta: Float64Array): Float64Array {
  const r = theta[0]!;
  const alpha = theta[1]!;
  const a = theta[2]!;
  const b = theta[3]!;
  const shift = modified ? 1 : 0;
  const lnA = Math.log(a);
  const LT = Float64Array.from(ix.TValues, (T) => Math.log(alpha + T));
  const Lt = Float64Array.from(ix.txValues, (t) => Math.log(alpha + t));
  const iT = Float64Array.from(ix.TValues, (T) => 1 / (alpha + T));
  const it = Float64Array.from(ix.txValues, (t) => 1 / (alpha + t));
  const tr = trigamma(r);
  const tab = trigamma(a + b);
  const tb = trigamma(b);
  const H = new Float64Array(16);
  const add = (i: number, j: number, v: number) => {
    H[i * 4 + j]! += v;
  };
  const nx = ix.xValues.length;
  const rxOf = new Float64Array(nx);
  const lnabOf = new Float64Array(nx);
  const hasA4Of = new Uint8Array(nx);
  for (let k = 0; k < nx; k++) {
    const x = ix.xValues[k]!;
    rxOf[k] = r + x;
    hasA4Of[k] = modified || x > 0 ? 1 : 0;
    lnabOf[k] = hasA4Of[k] ? lnA - Math.log(b + x + shift - 1) : 0;
  }
  const sums = new Float64Array(SUMS * nx);
  hessianRowSums(ix, { LT, Lt, iT, it }, rxOf, hasA4Of, lnabOf, sums);
  for (let k = 0; k < nx; k++) {
    const x = ix.xValues[k]!;
    const W = ix.weightByX[k]!;
    const rx = r + x;
    const bx = b + x + shift;
    const c = bx - 1;
    const hasA4 = hasA4Of[k] === 1;
    // A1 and A2, per distinct x.
    const tabx = trigamma(a + bx);
    add(0, 0, W * (trigamma(rx) - tr));
    add(0, 1, W / alpha);
    add(1, 1, (-W * r) / (alpha * alpha));
    add(2, 2, W * (tab - tabx));
    add(2, 3, W * (tab - tabx));
    add(3, 3, W * (tab + trigamma(bx) - tb - tabx));
    const at = SUMS * k;
    const sS = sums[at + 4]!;
    const U = sums[at + 5]!;
    const Udr = sums[at + 6]!;
    const Udi = sums[at + 8]!;
    add(0, 1, -(sums[at]! + sums[at + 1]!) + rx * sums[at + 9]!);
    add(1, 1, rx * (sums[at + 2]! + sums[at + 3]!) + rx * rx * sums[at + 10]!);
    if (!hasA4) continue;
    add(0, 0, sums[at + 7]!);
    add(2, 2, (U - sS) / (a * a));
    add(3, 3, (sS + U) / (c * c));
    add(0, 2, Udr / a);
    add(0, 3, -Udr / c);
    add(1, 2, (rx * Udi) / a);
    add(1, 3, (-rx * Udi) / c);
    add(2, 3, -U / (a * c));
  }
  // Symmetric, and of −LL/n.
  const n = ix.totalWeight;
  for (let i = 0; i < 4; i++) {
    for (let j = 0; j < 4; j++) {
      if (j < i) H[i * 4 + j] = H[j * 4 + i]!;
    }
  }
  return H.map((v) => -v / n);
}

/**
 * Every x group's rows in one call (one loop that V8 compiles once, on-stack: called per group,
 * the big groups ran in the interpreter, a heap number per intermediate value). With w the row's
 * weight, s = sigmoid(A4 − A3), q = 1 − s, u = w s q, dr = ln(α+T) − ln(α+t_x),
 * di = 1/(α+T) − 1/(α+t_x), group k's sums go to out[11k …]: [Σ w q/(α+T), Σ w s/(α+t_x),
 * Σ w q/(α+T)², Σ w s/(α+t_x)², Σ w s, Σ u, Σ u dr, Σ u dr², Σ u di, Σ u dr di, Σ u di²].
 * Without A4 (BG/NBD, x = 0), s = 0.
 */
function hessianRowSums(
  ix: RfmIndex,
  logs: { LT: Float64Array; Lt: Float64Array; iT: Float64Array; it: Float64Array },
  rxOf: Float64Array,
  hasA4Of: Uint8Array,
  lnabOf: Float64Array,
  out: Float64Array,
): void {
  const { rowT, rowTx, rowWeight, groupStart } = ix;
  const { LT, Lt, iT, it } = logs;
  // The sums go straight to `out`, not to local variables: in the loop's on-stack compiled code
  // (it runs once per fit) V8 kept such loop variables as boxed numbers, a heap number per update.
  out.fill(0);
  for (let k = 0; k < rxOf.length; k++) {
    const rx = rxOf[k]!;
    const hasA4 = hasA4Of[k] === 1;
    const lnab = lnabOf[k]!;
    const at = SUMS * k;
    const end = groupStart[k + 1]!;
    for (let j = groupStart[k]!; j < end; j++) {
      const w = rowWeight[j]!;
      const tT = rowT[j]!;
      const vT = iT[tT]!;
      if (!hasA4) {
        out[at]! += w * vT;
        out[at + 2]! += w * vT * vT;
        continue;
      }
      const tt = rowTx[j]!;
      const vt = it[tt]!;
      const dr = LT[tT]! - Lt[tt]!;
      const d = lnab + rx * dr;
      const e = Math.exp(-Math.abs(d));
      const s = d >= 0 ? 1 / (1 + e) : e / (1 + e);
      const ws = w * s;
      const wq = w - ws;
      const u = ws * (1 - s);
      const di = vT - vt;
      out[at]! += wq * vT;
      out[at + 1]! += ws * vt;
      out[at + 2]! += wq * vT * vT;
      out[at + 3]! += ws * vt * vt;
      out[at + 4]! += ws;
      out[at + 5]! += u;
      out[at + 6]! += u * dr;
      out[at + 7]! += u * dr * dr;
      out[at + 8]! += u * di;
      out[at + 9]! += u * dr * di;
      out[at + 10]! += u * di * di;
    }
  }
}
