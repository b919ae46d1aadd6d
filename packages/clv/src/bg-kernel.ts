/**
 * The likelihood shared by BG/NBD (Fader, Hardie & Lee 2005) and MBG/NBD (Batislam, Denizel &
 * Filiztekin 2007), with its analytic gradient, evaluated on a compressed summary.
 *
 * Per customer, with A1 = lnΓ(r+x) − lnΓ(r) + r ln α and A3 = −(r+x) ln(α+T):
 *   BG/NBD:  LL = A1 + ln B(a, b+x) − ln B(a, b) + ln(e^A3 + [x>0] e^A4),
 *            A4 = ln a − ln(b+x−1) − (r+x) ln(α+t_x)
 *   MBG/NBD: LL = A1 + ln B(a, b+x+1) − ln B(a, b) + ln(e^A3 + e^A4),
 *            A4 = ln a − ln(b+x) − (r+x) ln(α+t_x)
 * Everything except the final log-sum-exp depends on one column only, so it is computed once per
 * distinct x, t_x or T; the per-row work is one log1p (and one exp in small or high-x groups).
 */

import { digamma, gammaln, LN_PROD_START, PROD_START } from './special.ts';
import type { RfmIndex } from './summary.ts';

/** −LL/n and its gradient in (r, α, a, b). */
export function bgNegLogLik(
  ix: RfmIndex,
  modified: boolean,
  theta: Float64Array,
  grad: Float64Array | undefined,
): number {
  const r = theta[0]!;
  const alpha = theta[1]!;
  const a = theta[2]!;
  const b = theta[3]!;
  const lnAlpha = Math.log(alpha);
  const lnA = Math.log(a);
  const LT = logShift(ix.TValues, alpha);
  const Lt = logShift(ix.txValues, alpha);
  const iT = invShift(ix.TValues, alpha);
  const it = invShift(ix.txValues, alpha);
  const gr = gammaln(r);
  const gab = gammaln(a + b);
  const gb = gammaln(b);
  const want = grad !== undefined;
  const dr0 = want ? digamma(r) : 0;
  const dab = want ? digamma(a + b) : 0;
  const db0 = want ? digamma(b) : 0;
  const shift = modified ? 1 : 0;
  let ll = 0;
  let gR = 0;
  let gAlpha = 0;
  let gA = 0;
  let gB = 0;
  const { xValues, weightByX } = ix;
  const powT = new Float64Array(LT.length);
  const powt = new Float64Array(Lt.length);
  const stampT = new Int32Array(LT.length).fill(-1);
  const stampt = new Int32Array(Lt.length).fill(-1);
  const sums = new Float64Array(7);
  // Each row function runs once on no rows first, so V8 has type feedback for the code after its
  // loop before it compiles the loop on-stack. Without it, that on-stack code bails out at the
  // loop's end on every call, until the whole function is compiled again.
  fastGroupSums(ix, LT, Lt, iT, it, powT, powt, stampT, stampt, 0, 0, 0, r, lnAlpha, 1, sums);
  rowGroupSums(ix, LT, Lt, iT, it, 0, 0, r, true, 0, sums);
  // Two passes over the x groups: first those on the per-row path (x = 0, very high x, and always
  // the highest x group, a few rows), then the rest. The per-row path thus runs in every call
  // before the bulk of the rows, so both row functions have type feedback from the first call on.
  const spanT = LT[LT.length - 1]! - lnAlpha;
  const last = xValues.length - 1;
  for (let pass = 0; pass < 2; pass++) {
    for (let k = 0; k <= last; k++) {
      const x = xValues[k]!;
      const fast = (modified || x > 0) && (r + x) * spanT < 500 && k < last;
      if (fast !== (pass === 1)) continue;
      const W = weightByX[k]!;
      const rx = r + x;
      const bx = b + x + shift;
      ll += W * (gammaln(rx) - gr + r * lnAlpha + gab + gammaln(bx) - gb - gammaln(a + bx));
      const hasA4 = modified || x > 0;
      // b+x−1 (BG/NBD) and b+x (MBG/NBD) are both bx − 1.
      const lnab = hasA4 ? lnA - Math.log(bx - 1) : 0;
      // sums: [Σ w ln(α+T), Σ w(1−s) ln(α+T), Σ w s ln(α+t_x), Σ w(1−s)/(α+T), Σ w s/(α+t_x),
      // Σ w s, Σ w softplus(A4 − A3)], s = P(the A4 branch) = sigmoid(A4 − A3). The fast path
      // evaluates the powers in e^(A4−A3) once per distinct T and t_x, when they stay well inside
      // double range; otherwise (x = 0, very high x) the per-row form.
      const begin = ix.groupStart[k]!;
      const end = ix.groupStart[k + 1]!;
      if (fast) {
        const ab = Math.exp(lnab);
        fastGroupSums(ix, LT, Lt, iT, it, powT, powt, stampT, stampt, k, begin, end, rx, lnAlpha, ab, sums);
      } else rowGroupSums(ix, LT, Lt, iT, it, begin, end, rx, hasA4, lnab, sums);
      const sA3 = sums[0]!;
      const sLT = hasA4 ? sums[1]! : sA3;
      const sLt = sums[2]!;
      const siT = sums[3]!;
      const sit = sums[4]!;
      const sS = sums[5]!;
      const sSoft = sums[6]!;
      ll += sSoft - rx * sA3;
      if (want) {
        const dx = digamma(a + bx);
        gR += W * (digamma(rx) - dr0 + lnAlpha) - sLT - sLt;
        gAlpha += (W * r) / alpha - rx * (siT + sit);
        gA += W * (dab - dx) + sS / a;
        gB += W * (dab + digamma(bx) - db0 - dx) - (hasA4 ? sS / (bx - 1) : 0);
      }
    }
  }
  const n = ix.totalWeight;
  if (grad) {
    grad[0] = -gR / n;
    grad[1] = -gAlpha / n;
    grad[2] = -gA / n;
    grad[3] = -gB / n;
  }
  return -ll / n;
}

/**
 * One x group's rows (begin … end − 1) on the fast path: the sums the likelihood and its gradient need, written to
 * `out` as [Σ w ln(α+T), Σ w(1−s) ln(α+T), Σ w s ln(α+t_x), Σ w(1−s)/(α+T), Σ w s/(α+t_x), Σ w s,
 * Σ w softplus(d)]. A function of its own, with one loop and nothing after it: V8 compiles it in a
 * few milliseconds, early in the warm-start fit, and the compiled code never meets a path it has
 * no type feedback for. (Inside the kernel, the loop's on-stack compile took the whole kernel,
 * 40–90 ms of compiler time, while the first evaluations ran interpreted.)
 */
function fastGroupSums(
  ix: RfmIndex,
  LT: Float64Array,
  Lt: Float64Array,
  iT: Float64Array,
  it: Float64Array,
  powT: Float64Array,
  powt: Float64Array,
  stampT: Int32Array,
  stampt: Int32Array,
  k: number,
  begin: number,
  end: number,
  rx: number,
  lnAlpha: number,
  ab: number,
  out: Float64Array,
): void {
  const { rowT, rowTx, rowWeight } = ix;
  let sA3 = 0;
  let sLT = 0;
  let sLt = 0;
  let siT = 0;
  let sit = 0;
  let sS = 0;
  let sSoft = 0;
  // The A4/A3 ratio e^d = (a/(b+x−1)) · ((α+T)/(α+t_x))^(r+x) is a product of a power of
  // (α+T) and one of (α+t_x). Each x group evaluates each power once per distinct T and t_x it
  // meets (tables stamped with the group) instead of one exp per row.
  let prod = PROD_START;
  for (let j = begin; j < end; j++) {
    const w = rowWeight[j]!;
    const tT = rowT[j]!;
    const tt = rowTx[j]!;
    const lT = LT[tT]!;
    const lt = Lt[tt]!;
    let pT = powT[tT]!;
    if (stampT[tT] !== k) {
      stampT[tT] = k;
      pT = powT[tT] = Math.exp(rx * (lT - lnAlpha));
    }
    let pt = powt[tt]!;
    if (stampt[tt] !== k) {
      stampt[tt] = k;
      pt = powt[tt] = Math.exp(rx * (lnAlpha - lt));
    }
    const u = ab * pt * pT; // e^d
    const f = 1 + u;
    const c = w / f; // w (1 − s)
    const ws = w - c; // w s
    sA3 += w * lT;
    // Σ w ln(1 + e^d): single customers' factors multiply into `prod`, one log per 16 rows
    // instead of one per row. Written without data-dependent branches: the warm-start
    // subsample has no weight-1 rows, and a branch it never took would deoptimise the
    // compiled loop on its first full-data call.
    const unit = f < 1e16 && w === 1; // in this order: both compares run on every row
    prod *= unit ? f : 1;
    sSoft += unit ? 0 : w * Math.log1p(u);
    if ((j & 15) === 0) {
      sSoft += Math.log(prod) - LN_PROD_START;
      prod = PROD_START;
    }
    sLT += c * lT;
    sLt += ws * lt;
    siT += c * iT[tT]!;
    sit += ws * it[tt]!;
    sS += ws;
  }
  sSoft += Math.log(prod) - LN_PROD_START;
  out[0] = sA3;
  out[1] = sLT;
  out[2] = sLt;
  out[3] = siT;
  out[4] = sit;
  out[5] = sS;
  out[6] = sSoft;
}

/** One x group's rows on the per-row path: the same sums as `fastGroupSums`, written to `out`. */
function rowGroupSums(
  ix: RfmIndex,
  LT: Float64Array,
  Lt: Float64Array,
  iT: Float64Array,
  it: Float64Array,
  begin: number,
  end: number,
  rx: number,
  hasA4: boolean,
  lnab: number,
  out: Float64Array,
): void {
  const { rowT, rowTx, rowWeight } = ix;
  let sA3 = 0;
  let sLT = 0;
  let sLt = 0;
  let siT = 0;
  let sit = 0;
  let sS = 0;
  let sSoft = 0;
  for (let j = begin; j < end; j++) {
    const w = rowWeight[j]!;
    const tT = rowT[j]!;
    const lT = LT[tT]!;
    sA3 += w * lT;
    if (!hasA4) {
      siT += w * iT[tT]!;
      continue;
    }
    const tt = rowTx[j]!;
    const lt = Lt[tt]!;
    const d = lnab + rx * (lT - lt);
    const e = Math.exp(-Math.abs(d));
    const s = d >= 0 ? 1 / (1 + e) : e / (1 + e);
    sSoft += w * (Math.max(d, 0) + Math.log1p(e));
    sLT += w * (1 - s) * lT;
    sLt += w * s * lt;
    siT += w * (1 - s) * iT[tT]!;
    sit += w * s * it[tt]!;
    sS += w * s;
  }
  out[0] = sA3;
  out[1] = sLT;
  out[2] = sLt;
  out[3] = siT;
  out[4] = sit;
  out[5] = sS;
  out[6] = sSoft;
}

function logShift(v: Float64Array, alpha: number): Float64Array {
  const out = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = Math.log(alpha + v[i]!);
  return out;
}

function invShift(v: Float64Array, alpha: number): Float64Array {
  const out = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = 1 / (alpha + v[i]!);
  return out;
}
