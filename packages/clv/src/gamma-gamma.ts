/**
 * Gamma-Gamma model of spend per transaction (Fader, Hardie & Lee 2005, "RFM and CLV";
 * Fader & Hardie 2013, "The Gamma-Gamma model of monetary value"). A customer's spends are
 * Gamma(p, ν) with ν ~ Gamma(q, γ). Fitted on repeat buyers only, on (x, m̄) where m̄ is the mean
 * of their repeat purchases:
 *   LL = lnΓ(px+q) − lnΓ(px) − lnΓ(q) + q ln γ + (px−1) ln m̄ + px ln x − (px+q) ln(γ + x m̄)
 * Terms in x alone are computed per distinct x; per distinct (x, m̄) only ln(γ + x m̄) remains.
 *
 * @example
 * const fit = fitGammaGamma({ x, tx, T, monetary });
 * const spend = gammaGammaConditionalExpectedSpend(fit.params, 2, 35.5);
 */
import { ClvError } from './errors.ts';
import { type FitOptions, type FitResult, runFit } from './fit-result.ts';
import { digamma, gammaln, LN_PROD_START, PROD_START, trigamma } from './special.ts';
import { prepareSpend, type SpendData, subsampleSpend } from './spend-data.ts';
import type { RfmIndex, RfmSummary } from './summary.ts';

export { prepareSpend, type SpendData } from './spend-data.ts';

export interface GammaGammaParams {
  p: number;
  q: number;
  gamma: number;
}

/** −LL/n and its gradient in (p, q, γ). */
export function gammaGammaNegLogLik(
  d: SpendData,
  theta: Float64Array,
  grad: Float64Array | undefined,
): number {
  const p = theta[0]!;
  const q = theta[1]!;
  const g = theta[2]!;
  const lnG = Math.log(g);
  const gq = gammaln(q);
  const dq = grad ? digamma(q) : 0;
  let ll = 0;
  let gp = 0;
  let gQ = 0;
  let gG = 0;
  const sums = new Float64Array(2);
  primeSpendGroupSums();
  for (let k = 0; k < d.xValues.length; k++) {
    const x = d.xValues[k]!;
    const W = d.weightByX[k]!;
    const px = p * x;
    spendGroupSums(d.xm, d.w, d.groupStart[k]!, d.groupStart[k + 1]!, g, sums);
    const s1 = sums[0]!; // Σ w ln(γ + x m̄)
    const s2 = sums[1]!; // Σ w / (γ + x m̄)
    const lnx = Math.log(x);
    ll +=
      W * (gammaln(px + q) - gammaln(px) - gq + q * lnG + px * lnx) +
      (px - 1) * d.logSpendByX[k]! -
      (px + q) * s1;
    if (grad) {
      const dpq = digamma(px + q);
      gp += W * x * (dpq - digamma(px) + lnx) + x * d.logSpendByX[k]! - x * s1;
      gQ += W * (dpq - dq + lnG) - s1;
      gG += (W * q) / g - (px + q) * s2;
    }
  }
  if (grad) {
    grad[0] = -gp / d.total;
    grad[1] = -gQ / d.total;
    grad[2] = -gG / d.total;
  }
  return -ll / d.total;
}

/**
 * ∇²(−LL/n) in (p, q, γ), row-major 3 × 3, for the standard errors. Per buyer, with v = γ + x m̄:
 * ∂pp = x²(ψ'(px+q) − ψ'(px)), ∂pq = x ψ'(px+q), ∂pγ = −x/v, ∂qq = ψ'(px+q) − ψ'(q),
 * ∂qγ = 1/γ − 1/v, ∂γγ = −q/γ² + (px+q)/v²: per x group, Σ w/v and Σ w/v² over its rows.
 */
export function gammaGammaNegLogLikHessian(d: SpendData, theta: Float64Array): Float64Array {
  const p = theta[0]!;
  const q = theta[1]!;
  const g = theta[2]!;
  const tq = trigamma(q);
  const inv = inverseSums(d, g);
  let pp = 0;
  let pq = 0;
  let pg = 0;
  let qq = 0;
  let qg = 0;
  let gg = 0;
  for (let k = 0; k < d.xValues.length; k++) {
    const x = d.xValues[k]!;
    const W = d.weightByX[k]!;
    const px = p * x;
    const tpq = trigamma(px + q);
    const s2 = inv[2 * k]!;
    const s3 = inv[2 * k + 1]!;
    pp += W * x * x * (tpq - trigamma(px));
    pq += W * x * tpq;
    pg -= x * s2;
    qq += W * (tpq - tq);
    qg += W / g - s2;
    gg += (-W * q) / (g * g) + (px + q) * s3;
  }
  const n = -d.total;
  return Float64Array.of(pp / n, pq / n, pg / n, pq / n, qq / n, qg / n, pg / n, qg / n, gg / n);
}

/**
 * Per x group k, Σ w/(γ + x m̄) and Σ w/(γ + x m̄)² at [2k], [2k + 1]. The sums go straight to the
 * array (see `hessianRowSums` in bg-hessian.ts: this loop runs once per fit).
 */
function inverseSums(d: SpendData, g: number): Float64Array {
  const { xm, w, groupStart } = d;
  const nx = d.xValues.length;
  const out = new Float64Array(2 * nx);
  for (let k = 0; k < nx; k++) {
    const end = groupStart[k + 1]!;
    for (let j = groupStart[k]!; j < end; j++) {
      const inv = 1 / (g + xm[j]!);
      out[2 * k]! += w[j]! * inv;
      out[2 * k + 1]! += w[j]! * inv * inv;
    }
  }
  return out;
}

let primed = false;

/**
 * Runs `spendGroupSums` once, in the interpreter, on made-up rows that take every path (a single
 * buyer, a weighted row, the every-16-rows log), so that V8 has type feedback for all of them
 * before it compiles the real loop (see `primeRowFunctions` in bg-kernel.ts: the warm-start
 * subsample has no single-buyer rows).
 */
function primeSpendGroupSums(): void {
  if (primed) return;
  primed = true;
  spendGroupSums(Float64Array.of(1, 2, 3), Float64Array.of(1, 2, 1), 0, 3, 1, new Float64Array(2));
}

/**
 * One x group's (rows begin … end − 1) Σ w ln(γ + x m̄) and Σ w / (γ + x m̄), written to `out`.
 * A function with one loop (see `fastSums` in bg-kernel.ts): it compiles in milliseconds.
 */
function spendGroupSums(
  xm: Float64Array,
  w: Float64Array,
  begin: number,
  end: number,
  g: number,
  out: Float64Array,
): void {
  let s1 = 0;
  let s2 = 0;
  // Numbers V8 can see are numbers (see fastSums in bg-kernel.ts: no heap number per row).
  const prodStart = +PROD_START;
  const lnProdStart = +LN_PROD_START;
  // Single buyers' factors γ + x m̄ multiply into `prod`: one log per 16 rows, not one per row.
  // A branch, not a select, as in the BG/NBD kernel (a select computes the log on every row).
  let prod = prodStart;
  for (let j = begin; j < end; j++) {
    const v = g + xm[j]!;
    const wj = w[j]!;
    if (v < 1e16 && v > 1e-16 && wj === 1) prod *= v;
    else s1 += wj * Math.log(v);
    s2 += wj / v;
    if ((j & 15) === 0) {
      s1 += Math.log(prod) - lnProdStart;
      prod = prodStart;
    }
  }
  out[0] = s1 + (Math.log(prod) - lnProdStart);
  out[1] = s2;
}

/** Maximum-likelihood fit on the repeat buyers (x > 0) of a summary with `monetary`. */
export function fitGammaGamma(
  summary: RfmSummary,
  options: FitOptions = {},
  /** The integer compression of this same summary, when a BG/NBD fit has made one (see `prepareSpend`). */
  byX?: RfmIndex,
): FitResult<GammaGammaParams> {
  const d = prepareSpend(summary, byX);
  if (d.total < 3) {
    throw new ClvError(
      'too_few_customers',
      `Gamma-Gamma needs at least 3 repeat buyers (x > 0), got ${d.total}`,
    );
  }
  let sm = 0;
  for (let j = 0; j < d.xm.length; j++) sm += d.w[j]! * d.xm[j]!;
  let sx = 0;
  for (let k = 0; k < d.xValues.length; k++) sx += d.weightByX[k]! * d.xValues[k]!;
  // Start where the model mean pγ/(q−1) equals the observed mean spend.
  const start = [2, 3, sm / sx];
  return runFit<GammaGammaParams>(
    'gg',
    ['p', 'q', 'gamma'],
    (theta, grad) => gammaGammaNegLogLik(d, theta, grad),
    start,
    d.total,
    d.xm.length,
    options,
    // As for BG/NBD: on large data, a fit on a 1/16 subsample puts BFGS a few steps from the answer.
    d.xm.length > 50_000 ? warmStart(subsampleSpend(d, 16)) : undefined,
    (theta) => gammaGammaNegLogLikHessian(d, theta),
  );
}

function warmStart(sub: SpendData) {
  return (theta: Float64Array, grad: Float64Array | undefined) => gammaGammaNegLogLik(sub, theta, grad);
}

/**
 * E[M | x, m̄]: the expected spend per future transaction, a weighted mean of the population
 * mean pγ/(q−1) and the customer's own m̄. For x = 0 it is the population mean.
 */
export function gammaGammaConditionalExpectedSpend(
  params: GammaGammaParams,
  x: number,
  mbar: number,
): number {
  const { p, q, gamma } = params;
  if (!(q > 1)) {
    throw new ClvError('infinite_value', `q = ${q} ≤ 1: the expected spend is infinite`, { field: 'q' });
  }
  return x > 0 ? (p * (gamma + x * mbar)) / (p * x + q - 1) : (p * gamma) / (q - 1);
}

/** E[M | x, m̄] for every row of a summary. */
export function predictGammaGamma(params: GammaGammaParams, summary: RfmSummary): Float64Array {
  const m = summary.monetary;
  return Float64Array.from(summary.x, (x, i) => gammaGammaConditionalExpectedSpend(params, x, m ? m[i]! : 0));
}
