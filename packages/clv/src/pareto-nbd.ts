/**
 * Pareto/NBD (Schmittlein, Morrison & Colombo 1987), in the forms of Fader & Hardie, "A note on
 * deriving the Pareto/NBD model and related expressions" (2005) and "Deriving an expression for
 * P(X(t) = x) under the Pareto/NBD model" (2006). While alive, purchases are Poisson with rate
 * λ ~ Gamma(r, α); lifetimes are exponential with rate μ ~ Gamma(s, β).
 *
 * The gradient is by central differences: the ₂F₁ terms have no cheap parameter derivatives,
 * and the likelihood is evaluated per distinct (x, t_x, T), so the cost stays small.
 */
import { ClvError } from './errors.ts';
import { type FitOptions, type FitResult, runFit } from './fit-result.ts';
import { numericGradient } from './optimise.ts';
import { gammaln, logAddExp, logSubExp } from './special.ts';
import { betaln, hyp2f1 } from './special-more.ts';
import { compressSummary, type RfmIndex, type RfmSummary, validateSummary } from './summary.ts';

export interface ParetoNbdParams {
  r: number;
  alpha: number;
  s: number;
  beta: number;
}

export interface ParetoNbdFit extends FitResult<ParetoNbdParams> {
  index: RfmIndex;
}

/**
 * ln A0 of the Fader-Hardie note (eqs. 19-20), choosing the convergent ₂F₁ by α ≥ β. For α < β
 * the note's ₂F₁(r+s+x, r+x; r+s+x+1; z) grows like (1−z)^{−x} and overflows for x in the
 * thousands, so it is taken through Euler's transformation, (1−z)^{1−r−x} ₂F₁(1, s+1; r+s+x+1; z),
 * whose ₂F₁ stays near 1, and kept in logs.
 */
function logA0(p: ParetoNbdParams, x: number, tx: number, T: number): number {
  const { r, alpha, s, beta } = p;
  const rsx = r + s + x;
  const logF =
    alpha >= beta
      ? (z: number) => Math.log(hyp2f1(rsx, s + 1, rsx + 1, z))
      : (z: number) => (1 - r - x) * Math.log1p(-z) + Math.log(hyp2f1(1, s + 1, rsx + 1, z));
  const [base, diff] = alpha >= beta ? [alpha, alpha - beta] : [beta, beta - alpha];
  const q1 = base + tx;
  const q2 = base + T;
  // A0 = F(z1)/q1^rsx − F(z2)/q2^rsx, in logs because rsx can be in the thousands.
  return logSubExp(logF(diff / q1) - rsx * Math.log(q1), logF(diff / q2) - rsx * Math.log(q2));
}

/** Log-likelihood of one customer. */
export function paretoNbdLogLikelihood(p: ParetoNbdParams, x: number, tx: number, T: number): number {
  const { r, alpha, s, beta } = p;
  const a1 = gammaln(r + x) - gammaln(r) + r * Math.log(alpha) + s * Math.log(beta);
  const alive = -(r + x) * Math.log(alpha + T) - s * Math.log(beta + T);
  const died = Math.log(s) - Math.log(r + s + x) + logA0(p, x, tx, T);
  return a1 + logAddExp(alive, died);
}

function negLogLik(ix: RfmIndex, theta: Float64Array): number {
  const p = { r: theta[0]!, alpha: theta[1]!, s: theta[2]!, beta: theta[3]! };
  let ll = 0;
  for (let j = 0; j < ix.rowWeight.length; j++) {
    const x = ix.xValues[ix.rowX[j]!]!;
    ll +=
      ix.rowWeight[j]! * paretoNbdLogLikelihood(p, x, ix.txValues[ix.rowTx[j]!]!, ix.TValues[ix.rowT[j]!]!);
  }
  return -ll / ix.totalWeight;
}

export function fitParetoNbd(summary: RfmSummary, options: FitOptions = {}): ParetoNbdFit {
  validateSummary(summary, { minCustomers: 4 });
  const ix = compressSummary(summary);
  let sx = 0;
  let sT = 0;
  for (let j = 0; j < ix.rowWeight.length; j++) {
    sx += ix.rowWeight[j]! * ix.xValues[ix.rowX[j]!]!;
    sT += ix.rowWeight[j]! * ix.TValues[ix.rowT[j]!]!;
  }
  if (sx === 0 || sT === 0) {
    throw new ClvError(
      'degenerate_data',
      'no repeat purchases or no observed time: Pareto/NBD cannot be fitted',
    );
  }
  const meanT = sT / ix.totalWeight;
  const fit = runFit<ParetoNbdParams>(
    'pareto',
    ['r', 'alpha', 's', 'beta'],
    numericGradient((theta) => negLogLik(ix, theta)),
    [1, sT / sx, 1, meanT],
    ix.totalWeight,
    ix.rowWeight.length,
    options,
  );
  return { ...fit, index: ix };
}

/** P(alive | x, t_x, T) (note eq. 18). */
export function paretoNbdProbabilityAlive(p: ParetoNbdParams, x: number, tx: number, T: number): number {
  const { r, s, alpha, beta } = p;
  const d =
    Math.log(s) -
    Math.log(r + s + x) +
    (r + x) * Math.log(alpha + T) +
    s * Math.log(beta + T) +
    logA0(p, x, tx, T);
  return d > 0 ? Math.exp(-d) / (1 + Math.exp(-d)) : 1 / (1 + Math.exp(d));
}

/** ∫ of the expected purchase rate of a live customer over the next t, given survival to T. */
function aliveExpectation(p: ParetoNbdParams, t: number, x: number, T: number): number {
  const { r, alpha, s, beta } = p;
  const lead = (r + x) / (alpha + T);
  if (Math.abs(s - 1) < 1e-10) return lead * (beta + T) * Math.log1p(t / (beta + T));
  return (lead * (beta + T) * (1 - ((beta + T) / (beta + T + t)) ** (s - 1))) / (s - 1);
}

/** E[X(t)] for a customer just acquired. */
export function paretoNbdExpectedPurchases(p: ParetoNbdParams, t: number): number {
  return aliveExpectation(p, t, 0, 0);
}

/** E[Y(t) | x, t_x, T] (note eq. 22). */
export function paretoNbdConditionalExpectedPurchases(
  p: ParetoNbdParams,
  t: number,
  x: number,
  tx: number,
  T: number,
): number {
  return aliveExpectation(p, t, x, T) * paretoNbdProbabilityAlive(p, x, tx, T);
}

/** P(X(t) = n) for a customer just acquired (Fader & Hardie 2006, eq. 16). */
export function paretoNbdProbabilityOfPurchases(p: ParetoNbdParams, t: number, n: number): number {
  const { r, alpha, s, beta } = p;
  const alive = Math.exp(
    gammaln(r + n) -
      gammaln(r) -
      gammaln(n + 1) +
      r * Math.log(alpha / (alpha + t)) +
      (n > 0 ? n * Math.log(t / (alpha + t)) : 0) +
      s * Math.log(beta / (beta + t)),
  );
  const [base, diff, second] = alpha >= beta ? [alpha, alpha - beta, s + 1] : [beta, beta - alpha, r + n];
  const c = r + s + n + 1;
  const lead = r * Math.log(alpha) + s * Math.log(beta) + betaln(r + n, s + 1) - betaln(r, s);
  const b1 = Math.log(hyp2f1(r + s, second, c, diff / base)) - (r + s) * Math.log(base);
  let sum = Number.NEGATIVE_INFINITY;
  for (let i = 0; i <= n; i++) {
    const term =
      gammaln(r + s + i) -
      gammaln(r + s) -
      gammaln(i + 1) +
      (i > 0 ? i * Math.log(t) : 0) +
      Math.log(hyp2f1(r + s + i, second, c, diff / (base + t))) -
      (r + s + i) * Math.log(base + t);
    sum = logAddExp(sum, term);
  }
  // For large n the bracket is a small difference of nearly equal terms; rounding can push it
  // below zero, where the true value is a negligible positive number.
  return alive + (b1 > sum ? Math.exp(lead + logSubExp(b1, sum)) : 0);
}

/** P(alive) and E[Y(t) | x, t_x, T] per customer, computed once per distinct (x, t_x, T). */
export function predictParetoNbd(p: ParetoNbdParams, data: RfmSummary | RfmIndex, t: number) {
  const ix = 'rowOf' in data ? data : compressSummary(data);
  const m = ix.rowWeight.length;
  const rowAlive = new Float64Array(m);
  const rowExpected = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    const x = ix.xValues[ix.rowX[j]!]!;
    const T = ix.TValues[ix.rowT[j]!]!;
    rowAlive[j] = paretoNbdProbabilityAlive(p, x, ix.txValues[ix.rowTx[j]!]!, T);
    rowExpected[j] = aliveExpectation(p, t, x, T) * rowAlive[j]!;
  }
  const pAlive = Float64Array.from(ix.rowOf, (j) => rowAlive[j]!);
  const expectedPurchases = Float64Array.from(ix.rowOf, (j) => rowExpected[j]!);
  return { pAlive, expectedPurchases };
}
