/**
 * BG/BB for discrete-time data (Fader, Hardie & Shang 2010, "Customer-base analysis in a
 * discrete-time noncontractual setting"). Each period a live customer buys with probability
 * p ~ Beta(α, β), then drops out with probability θ ~ Beta(γ, δ). In the summary, x is the number
 * of repeat transactions in n = T opportunities and t_x the period of the last one.
 *
 * The summaries are tiny (one row per (x, t_x, n) pattern: 22 rows for the 11,104 donors), so
 * the gradient is by central differences.
 */
import { ClvError } from './errors.ts';
import { type FitOptions, type FitResult, runFit } from './fit-result.ts';
import { numericGradient } from './optimise.ts';
import { gammaln, logAddExp } from './special.ts';
import { betaln } from './special-more.ts';
import { compressSummary, type RfmSummary, validateSummary } from './summary.ts';

export interface BgBbParams {
  alpha: number;
  beta: number;
  gamma: number;
  delta: number;
}

/** ln L(α, β, γ, δ | x, t_x, n) (FHS 2010, eq. 5). */
export function bgBbLogLikelihood(p: BgBbParams, x: number, tx: number, n: number): number {
  const { alpha, beta, gamma, delta } = p;
  const lnB1 = betaln(alpha, beta);
  const lnB2 = betaln(gamma, delta);
  let ll = betaln(alpha + x, beta + n - x) - lnB1 + betaln(gamma, delta + n) - lnB2;
  for (let i = 0; i <= n - tx - 1; i++) {
    ll = logAddExp(
      ll,
      betaln(alpha + x, beta + tx - x + i) - lnB1 + betaln(gamma + 1, delta + tx + i) - lnB2,
    );
  }
  return ll;
}

export function fitBgBb(summary: RfmSummary, options: FitOptions = {}): FitResult<BgBbParams> {
  validateSummary(summary, { minCustomers: 4, discrete: true });
  const ix = compressSummary(summary);
  const rows = ix.rowWeight.length;
  if (ix.xValues.length < 2) {
    throw new ClvError(
      'degenerate_data',
      'every customer has the same x: BG/BB cannot separate buying from dropout',
    );
  }
  const f = (theta: Float64Array) => {
    const p = { alpha: theta[0]!, beta: theta[1]!, gamma: theta[2]!, delta: theta[3]! };
    let ll = 0;
    for (let j = 0; j < rows; j++) {
      const x = ix.xValues[ix.rowX[j]!]!;
      ll += ix.rowWeight[j]! * bgBbLogLikelihood(p, x, ix.txValues[ix.rowTx[j]!]!, ix.TValues[ix.rowT[j]!]!);
    }
    return -ll / ix.totalWeight;
  };
  return runFit<BgBbParams>(
    'bgbb',
    ['alpha', 'beta', 'gamma', 'delta'],
    numericGradient(f),
    [1, 1, 1, 1],
    ix.totalWeight,
    rows,
    options,
  );
}

/** E[X(n)]: expected transactions in the first n opportunities (eq. 7). */
export function bgBbExpectedPurchases(p: BgBbParams, n: number): number {
  const { alpha, beta, gamma, delta } = p;
  const ratio = Math.exp(
    gammaln(gamma + delta) - gammaln(gamma + delta + n) + gammaln(1 + delta + n) - gammaln(1 + delta),
  );
  return (alpha / (alpha + beta)) * (delta / (gamma - 1)) * (1 - ratio);
}

/** P(alive at n + 1 | x, t_x, n) (eq. 11). */
export function bgBbProbabilityAlive(p: BgBbParams, x: number, tx: number, n: number): number {
  const { alpha, beta, gamma, delta } = p;
  const num =
    betaln(alpha + x, beta + n - x) -
    betaln(alpha, beta) +
    betaln(gamma, delta + n + 1) -
    betaln(gamma, delta);
  return Math.exp(num - bgBbLogLikelihood(p, x, tx, n));
}

/** E[X(n, n + nStar) | x, t_x, n]: expected transactions in the next nStar opportunities (eq. 13). */
export function bgBbConditionalExpectedPurchases(
  p: BgBbParams,
  nStar: number,
  x: number,
  tx: number,
  n: number,
): number {
  const { alpha, beta, gamma, delta } = p;
  const lead =
    betaln(alpha + x + 1, beta + n - x) -
    betaln(alpha, beta) +
    gammaln(gamma + delta) -
    gammaln(1 + delta) -
    bgBbLogLikelihood(p, x, tx, n);
  const bracket =
    Math.exp(gammaln(1 + delta + n) - gammaln(gamma + delta + n)) -
    Math.exp(gammaln(1 + delta + n + nStar) - gammaln(gamma + delta + n + nStar));
  return Math.exp(lead) * (delta / (gamma - 1)) * bracket;
}
