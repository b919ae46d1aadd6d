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
  const last = xValues.length - 1;
  // Per x group: on the fast path or not, and for the fast path r + x and a/(b+x−1) (MBG/NBD:
  // a/(b+x)). sums holds 7 per group (see `fastSums`).
  const spanT = LT[LT.length - 1]! - lnAlpha;
  const fast = new Uint8Array(last + 1);
  const rxOf = new Float64Array(last + 1);
  const abOf = new Float64Array(last + 1);
  for (let k = 0; k <= last; k++) {
    const x = xValues[k]!;
    fast[k] = (modified || x > 0) && (r + x) * spanT < 500 && k < last ? 1 : 0;
    rxOf[k] = r + x;
    abOf[k] = Math.exp(lnA - Math.log(b + x + shift - 1)); // as e^lnab below, to the last bit
  }
  const sums = new Float64Array(7 * (last + 1));
  primeRowFunctions();
  // All fast groups in one call: its row loop runs long enough in the first evaluation (on the
  // warm-start subsample) to be compiled on-stack there, where one call per group ran mostly
  // interpreted until the function as a whole was compiled.
  const { rowT, rowTx, rowWeight, groupStart } = ix;
  const tables = { LT, Lt, iT, it, powT, powt, stampT, stampt };
  fastSums(rowT, rowTx, rowWeight, groupStart, tables, fast, rxOf, abOf, lnAlpha, sums);
  // The x groups in two passes: first those on the per-row path (x = 0, very high x, and always
  // the highest x group, a few rows), then the rest; the order of the additions is kept from
  // earlier versions, so fits are identical to theirs.
  for (let pass = 0; pass < 2; pass++) {
    for (let k = 0; k <= last; k++) {
      if (fast[k] !== pass) continue;
      const x = xValues[k]!;
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
      const at = 7 * k;
      if (pass === 0)
        rowGroupSums(
          rowT,
          rowTx,
          rowWeight,
          LT,
          Lt,
          iT,
          it,
          groupStart[k]!,
          groupStart[k + 1]!,
          rx,
          hasA4,
          lnab,
          sums,
          at,
        );
      const sA3 = sums[at]!;
      const sLT = hasA4 ? sums[at + 1]! : sA3;
      const sLt = sums[at + 2]!;
      const siT = sums[at + 3]!;
      const sit = sums[at + 4]!;
      const sS = sums[at + 5]!;
      const sSoft = sums[at + 6]!;
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

/** Per distinct T and t_x: ln(α+·), 1/(α+·), and the power tables stamped with the x group. */
interface ShiftTables {
  LT: Float64Array;
  Lt: Float64Array;
  iT: Float64Array;
  it: Float64Array;
  powT: Float64Array;
  powt: Float64Array;
  stampT: Int32Array;
  stampt: Int32Array;
}

let primed = false;

/**
 * Runs both row functions once, in the interpreter, on three made-up rows that take every path
 * (a single customer, a weighted row, a new and a seen power, the every-16-rows log), so that V8
 * has type feedback for all of them before it compiles the real loops. Otherwise the first
 * compile of `fastSums`, made on the warm-start subsample (which has no single-customer rows),
 * bails out on the first full-data call and the rest of that call runs interpreted (≈ 60 ms);
 * and a loop compiled on-stack without feedback for the code after it bails out there on every
 * call.
 */
function primeRowFunctions(): void {
  if (primed) return;
  primed = true;
  const one = () => Float64Array.of(1);
  const rowT = Uint32Array.of(0, 0, 0);
  const t: ShiftTables = {
    LT: one(),
    Lt: one(),
    iT: one(),
    it: one(),
    powT: one(),
    powt: one(),
    stampT: Int32Array.of(-1),
    stampt: Int32Array.of(-1),
  };
  const groupStart = Uint32Array.of(0, 3);
  const out = new Float64Array(7);
  fastSums(rowT, rowT, Float64Array.of(1, 2, 1), groupStart, t, Uint8Array.of(1), one(), one(), 0, out);
  const w = Float64Array.of(1, 2, 1);
  rowGroupSums(rowT, rowT, w, t.LT, t.Lt, t.iT, t.it, 0, 3, 1, true, 0, out);
  rowGroupSums(rowT, rowT, w, t.LT, t.Lt, t.iT, t.it, 0, 3, 1, false, 0, out);
}

/**
 * The fast groups' rows: per group k with fast[k] = 1, the sums the likelihood and its gradient
 * need, written to out[7k … 7k+6] as [Σ w ln(α+T), Σ w(1−s) ln(α+T), Σ w s ln(α+t_x),
 * Σ w(1−s)/(α+T), Σ w s/(α+t_x), Σ w s, Σ w softplus(d)]. A function of its own, with nothing
 * after its loops but stores: V8 compiles it in a few milliseconds.
 */
function fastSums(
  rowT: Uint32Array,
  rowTx: Uint32Array,
  rowWeight: Float64Array,
  groupStart: Uint32Array,
  tables: ShiftTables,
  fast: Uint8Array,
  rxOf: Float64Array,
  abOf: Float64Array,
  lnAlpha: number,
  out: Float64Array,
): void {
  const { LT, Lt, iT, it, powT, powt, stampT, stampt } = tables;
  // Numbers V8 can see are numbers: an imported binding is loaded as a tagged value of no known
  // type, and `prod`, reset to it every 16 rows, was then kept boxed, a heap number per row.
  const prodStart = +PROD_START;
  const lnProdStart = +LN_PROD_START;
  for (let k = 0; k < fast.length; k++) {
    if (fast[k] === 0) continue;
    const rx = rxOf[k]!;
    const ab = abOf[k]!;
    const begin = groupStart[k]!;
    const end = groupStart[k + 1]!;
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
    let prod = prodStart;
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
      // instead of one log1p per row. A branch, not a select: V8 computes both arms of
      // `unit ? … : w * Math.log1p(u)`, a log1p for every row (the loop took 2.4 times as long).
      if (f < 1e16 && w === 1) prod *= f;
      else sSoft += w * Math.log1p(u);
      if ((j & 15) === 0) {
        sSoft += Math.log(prod) - lnProdStart;
        prod = prodStart;
      }
      sLT += c * lT;
      sLt += ws * lt;
      siT += c * iT[tT]!;
      sit += ws * it[tt]!;
      sS += ws;
    }
    sSoft += Math.log(prod) - lnProdStart;
    const at = 7 * k;
    putSums(out, at, sA3, sLT, sLt, siT, sit, sS, sSoft);
  }
}

/**
 * One x group's rows on the per-row path: the same sums as `fastSums`, written to out[at … at+6].
 * It takes the row arrays, not the index: the full index and the warm-start subsample are objects
 * of different shapes, and reading the arrays from either made V8 throw away its compiled code
 * (`--trace-deopt`: "wrong map") and compile it again.
 */
function rowGroupSums(
  rowT: Uint32Array,
  rowTx: Uint32Array,
  rowWeight: Float64Array,
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
  at = 0,
): void {
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
  putSums(out, at, sA3, sLT, sLt, siT, sit, sS, sSoft);
}

/** One group's seven sums into out[at … at+6], in the order `fastSums` documents. */
function putSums(
  out: Float64Array,
  at: number,
  sA3: number,
  sLT: number,
  sLt: number,
  siT: number,
  sit: number,
  sS: number,
  sSoft: number,
): void {
  out[at] = sA3;
  out[at + 1] = sLT;
  out[at + 2] = sLt;
  out[at + 3] = siT;
  out[at + 4] = sit;
  out[at + 5] = sS;
  out[at + 6] = sSoft;
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
