/**
 * Gamma-Gamma model of spend per transaction (Fader, Hardie & Lee 2005, "RFM and CLV";
 * Fader & Hardie 2013, "The Gamma-Gamma model of monetary value"). A customer's spends are
 * Gamma(p, ν) with ν ~ Gamma(q, γ). Fitted on repeat buyers only, on (x, m̄) where m̄ is the mean
 * of their repeat purchases:
 *   LL = lnΓ(px+q) − lnΓ(px) − lnΓ(q) + q ln γ + (px−1) ln m̄ + px ln x − (px+q) ln(γ + x m̄)
 * Terms in x alone are computed per distinct x; per customer only ln(γ + x m̄) remains.
 *
 * @example
 * const fit = fitGammaGamma({ x, tx, T, monetary });
 * const spend = gammaGammaConditionalExpectedSpend(fit.params, 2, 35.5);
 */
import { ClvError } from './errors.ts';
import { type FitOptions, type FitResult, runFit } from './fit-result.ts';
import { digamma, gammaln } from './special.ts';
import { indexDistinct, type RfmSummary } from './summary.ts';

export interface GammaGammaParams {
  p: number;
  q: number;
  gamma: number;
}

export interface SpendData {
  xValues: Float64Array;
  groupStart: Uint32Array;
  /** Per distinct x: Σ w and Σ w ln m̄. */
  weightByX: Float64Array;
  logSpendByX: Float64Array;
  /** Per repeat buyer, grouped by x: x·m̄ and weight. */
  xm: Float64Array;
  w: Float64Array;
  total: number;
}

/** Repeat buyers grouped by x, ready for `gammaGammaNegLogLik`. */
export function prepareSpend(s: RfmSummary): SpendData {
  const m = s.monetary;
  if (!m)
    throw new ClvError('invalid_input', 'Gamma-Gamma needs monetary_value', { field: 'monetary_value' });
  const keep: number[] = [];
  for (let i = 0; i < s.x.length; i++) {
    const x = s.x[i]!;
    const w = s.weight ? s.weight[i]! : 1;
    if (!Number.isFinite(x) || x < 0) {
      throw new ClvError('invalid_input', `row ${i}: x is not a non-negative number (${x})`, {
        field: 'x',
        row: i,
      });
    }
    if (!(Number.isFinite(w) && w >= 0)) {
      throw new ClvError('invalid_input', `row ${i}: weight is not a non-negative number (${w})`, {
        field: 'weight',
        row: i,
      });
    }
    if (x === 0 || w === 0) continue;
    const v = m[i]!;
    if (!(Number.isFinite(v) && v > 0)) {
      throw new ClvError(
        'invalid_input',
        `row ${i}: monetary_value must be a positive number for a repeat buyer (got ${v})`,
        {
          field: 'monetary_value',
          row: i,
        },
      );
    }
    keep.push(i);
  }
  const xs = Float64Array.from(keep, (i) => s.x[i]!);
  const dx = indexDistinct(xs);
  const nx = dx.values.length;
  const groupStart = new Uint32Array(nx + 1);
  for (let j = 0; j < keep.length; j++) groupStart[dx.index[j]! + 1]!++;
  for (let k = 0; k < nx; k++) groupStart[k + 1]! += groupStart[k]!;
  const fill = groupStart.slice(0, nx);
  const xm = new Float64Array(keep.length);
  const w = new Float64Array(keep.length);
  const weightByX = new Float64Array(nx);
  const logSpendByX = new Float64Array(nx);
  let total = 0;
  keep.forEach((i, j) => {
    const k = dx.index[j]!;
    const at = fill[k]!++;
    const wi = s.weight ? s.weight[i]! : 1;
    xm[at] = s.x[i]! * m[i]!;
    w[at] = wi;
    weightByX[k]! += wi;
    logSpendByX[k]! += wi * Math.log(m[i]!);
    total += wi;
  });
  return { xValues: dx.values, groupStart, weightByX, logSpendByX, xm, w, total };
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
  for (let k = 0; k < d.xValues.length; k++) {
    const x = d.xValues[k]!;
    const W = d.weightByX[k]!;
    const px = p * x;
    let s1 = 0; // Σ w ln(γ + x m̄)
    let s2 = 0; // Σ w / (γ + x m̄)
    const end = d.groupStart[k + 1]!;
    for (let j = d.groupStart[k]!; j < end; j++) {
      const v = g + d.xm[j]!;
      s1 += d.w[j]! * Math.log(v);
      s2 += d.w[j]! / v;
    }
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

/** Maximum-likelihood fit on the repeat buyers (x > 0) of a summary with `monetary`. */
export function fitGammaGamma(summary: RfmSummary, options: FitOptions = {}): FitResult<GammaGammaParams> {
  const d = prepareSpend(summary);
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
  );
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
