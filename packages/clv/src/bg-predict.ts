/**
 * Predictions shared by BG/NBD and MBG/NBD. `modified` selects MBG/NBD, whose customers can also
 * drop out right after their first purchase. Formulas: Fader, Hardie & Lee (2005) eqs. 9, 10, 13
 * and 8 for BG/NBD; Batislam et al. (2007) for MBG/NBD.
 *
 * The ₂F₁ in the conditional expectation is used in its Euler-transformed form,
 * (1−z)^{r+x} ₂F₁(r+x, b+x; c; z) = (1−z)^{a−1} ₂F₁(c−r−x, a−1; c; z), which stays bounded for
 * large x; the untransformed series overflows near x = 200 on day-level data.
 */
import type { BgParams } from './bg-params.ts';
import { gammaln } from './special.ts';
import { betaln, hyp2f1 } from './special-more.ts';
import { compressSummary, type RfmIndex, type RfmSummary } from './summary.ts';

/** E[X(t)]: expected repeat purchases in (0, t] for a new customer. */
export function bgExpectedPurchases(p: BgParams, t: number, modified: boolean): number {
  const { r, alpha, a, b } = p;
  const z = t / (alpha + t);
  if (modified) {
    // b/(a−1) [1 − (α/(α+t))^r ₂F₁(r, b+1; a+b; z)], Euler-transformed as above. lifetimes writes
    // (b+1)/(a−1); integrating E[X(t) | λ, p] = (1−p)/p (1 − e^{−λpt}) over Beta(a, b) gives
    // b/(a−1), which also equals this module's E[Y(t) | 0, 0, 0] and Σ n P(X(t) = n) (tested).
    return (b / (a - 1)) * (1 - (1 - z) ** (a - 1) * hyp2f1(a + b - r, a - 1, a + b, z));
  }
  return ((a + b - 1) / (a - 1)) * (1 - (1 - z) ** (a - 1) * hyp2f1(a + b - 1 - r, a - 1, a + b - 1, z));
}

/** ln of a/(b+x−1) · ((α+T)/(α+t_x))^{r+x} (BG/NBD) or a/(b+x) · … (MBG/NBD). */
function logOdds(p: BgParams, x: number, tx: number, T: number, modified: boolean): number {
  if (!modified && x === 0) return Number.NEGATIVE_INFINITY;
  const { r, alpha, a, b } = p;
  return (
    Math.log(a) -
    Math.log(b + x - (modified ? 0 : 1)) +
    (r + x) * (Math.log(alpha + T) - Math.log(alpha + tx))
  );
}

/** P(alive | x, t_x, T). */
export function bgProbabilityAlive(p: BgParams, x: number, tx: number, T: number, modified: boolean): number {
  const d = logOdds(p, x, tx, T, modified);
  return d > 0 ? Math.exp(-d) / (1 + Math.exp(-d)) : 1 / (1 + Math.exp(d));
}

/** The bracket [1 − (1−z)^{r+x} ₂F₁(…)] of the conditional expectation, times its leading ratio. */
function unconditionalPart(p: BgParams, t: number, x: number, T: number, modified: boolean): number {
  const { r, alpha, a, b } = p;
  const z = t / (alpha + T + t);
  const c = a + b + x - (modified ? 0 : 1);
  return (c / (a - 1)) * (1 - (1 - z) ** (a - 1) * hyp2f1(c - r - x, a - 1, c, z));
}

/** E[Y(t) | x, t_x, T]: expected repeat purchases in the next t. */
export function bgConditionalExpectedPurchases(
  p: BgParams,
  t: number,
  x: number,
  tx: number,
  T: number,
  modified: boolean,
): number {
  return unconditionalPart(p, t, x, T, modified) * bgProbabilityAlive(p, x, tx, T, modified);
}

/** P(X(t) = n) for a new customer. */
export function bgProbabilityOfPurchases(p: BgParams, t: number, n: number, modified: boolean): number {
  const { r, alpha, a, b } = p;
  const lnB = betaln(a, b);
  const lz = Math.log(t / (alpha + t));
  const l1z = Math.log(alpha / (alpha + t));
  // NBD(j) = Γ(r+j)/(Γ(r) j!) (α/(α+t))^r (t/(α+t))^j
  const nbd = (j: number) =>
    Math.exp(gammaln(r + j) - gammaln(r) - gammaln(j + 1) + r * l1z + (j > 0 ? j * lz : 0));
  const shift = modified ? 1 : 0;
  let v = Math.exp(betaln(a, b + n + shift) - lnB) * nbd(n);
  if (n > 0 || modified) {
    let cdf = 0;
    for (let j = 0; j < n; j++) cdf += nbd(j);
    v += Math.exp(betaln(a + 1, b + n - 1 + shift) - lnB) * Math.max(0, 1 - cdf);
  }
  return v;
}

export interface BgPredictions {
  pAlive: Float64Array;
  expectedPurchases: Float64Array;
}

/**
 * P(alive) and E[Y(t) | x, t_x, T] for every row of a summary. The ₂F₁ term depends on (x, T)
 * only, so it is computed once per distinct pair; rows come grouped by x from `compressSummary`.
 */
export function bgPredict(
  p: BgParams,
  data: RfmSummary | RfmIndex,
  t: number,
  modified: boolean,
): BgPredictions {
  const ix = 'rowOf' in data ? data : compressSummary(data);
  const m = ix.rowWeight.length;
  const rowAlive = new Float64Array(m);
  const rowExpected = new Float64Array(m);
  const nT = ix.TValues.length;
  const cache = new Float64Array(nT);
  const stamp = new Int32Array(nT).fill(-1);
  for (let k = 0; k < ix.xValues.length; k++) {
    const x = ix.xValues[k]!;
    for (let j = ix.groupStart[k]!; j < ix.groupStart[k + 1]!; j++) {
      const iT = ix.rowT[j]!;
      const T = ix.TValues[iT]!;
      if (stamp[iT] !== k) {
        stamp[iT] = k;
        cache[iT] = unconditionalPart(p, t, x, T, modified);
      }
      const alive = bgProbabilityAlive(p, x, ix.txValues[ix.rowTx[j]!]!, T, modified);
      rowAlive[j] = alive;
      rowExpected[j] = cache[iT]! * alive;
    }
  }
  const n = ix.rowOf.length;
  const pAlive = new Float64Array(n);
  const expectedPurchases = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const j = ix.rowOf[i]!;
    pAlive[i] = rowAlive[j]!;
    expectedPurchases[i] = rowExpected[j]!;
  }
  return { pAlive, expectedPurchases };
}
