// The statistics of lift over a holdout, pure and dependency-free so journeys reuse them:
// the difference of two conversion rates with Newcombe's hybrid Wilson score interval, and the
// difference of two means (revenue per customer) with Welch's t interval.
//
// Sources: Newcombe RG (1998), "Interval estimation for the difference between independent
// proportions: comparison of eleven methods", Statistics in Medicine 17:873–890 (method 10);
// Welch BL (1947), Biometrika 34:28–35; Acklam's normal quantile; Numerical Recipes §6.4 for the
// incomplete beta function behind Student's t.

export interface Interval {
  estimate: number;
  lower: number;
  upper: number;
}

/** Standard normal quantile (Acklam's rational approximation, relative error < 1.2e-9). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normalQuantile: ${p} is not in (0, 1)`);
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
    2.506628277459239,
  ];
  const b = [
    -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572,
  ];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const tail = (q: number) =>
    (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
    ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  if (p < 0.02425) return tail(Math.sqrt(-2 * Math.log(p)));
  if (p > 1 - 0.02425) return -tail(Math.sqrt(-2 * Math.log(1 - p)));
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) /
    (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1)
  );
}

function logGamma(x: number): number {
  const g = [
    76.18009172947146, -86.50532032941678, 24.01409824083091, -1.231739572450155, 0.1208650973866179e-2,
    -0.5395239384953e-5,
  ];
  let y = x;
  const tmp = x + 5.5 - (x + 0.5) * Math.log(x + 5.5);
  let ser = 1.000000000190015;
  for (const coefficient of g) ser += coefficient / ++y;
  return -tmp + Math.log((2.5066282746310007 * ser) / x);
}

/** Continued fraction of the incomplete beta function (Numerical Recipes' betacf). */
function betaFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  d = 1 / (Math.abs(d) < tiny ? tiny : d);
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    for (const aa of [
      (m * (b - m) * x) / ((a + m2 - 1) * (a + m2)),
      (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1)),
    ]) {
      d = 1 + aa * d;
      d = 1 / (Math.abs(d) < tiny ? tiny : d);
      c = 1 + aa / c;
      if (Math.abs(c) < tiny) c = tiny;
      h *= d * c;
    }
    if (Math.abs(d * c - 1) < 1e-15) break;
  }
  return h;
}

/** Regularised incomplete beta I_x(a, b). */
function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  return x < (a + 1) / (a + b + 2)
    ? (front * betaFraction(a, b, x)) / a
    : 1 - (front * betaFraction(b, a, 1 - x)) / b;
}

/** Student's t distribution function with `df` degrees of freedom (df may be fractional). */
export function studentTCdf(t: number, df: number): number {
  const tail = 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/** Student's t quantile, by bisection on the distribution function (to 1e-10). */
export function studentTQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`studentTQuantile: ${p} is not in (0, 1)`);
  if (!(df > 0)) throw new RangeError(`studentTQuantile: df ${df} is not > 0`);
  let lo = -1e6;
  let hi = 1e6;
  for (let i = 0; i < 200 && hi - lo > 1e-10; i++) {
    const mid = (lo + hi) / 2;
    if (studentTCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** Wilson's score interval for a proportion x/n (n > 0). */
export function wilsonInterval(x: number, n: number, confidence = 0.95): Interval {
  if (!(n > 0) || x < 0 || x > n) throw new RangeError(`wilsonInterval: ${x}/${n} is not a proportion`);
  const z = normalQuantile(1 - (1 - confidence) / 2);
  const p = x / n;
  const z2n = (z * z) / n;
  const centre = (p + z2n / 2) / (1 + z2n);
  const half = (z / (1 + z2n)) * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
  return { estimate: p, lower: centre - half, upper: centre + half };
}

/**
 * p1 − p2 for x1/n1 (treated) and x2/n2 (holdout), with Newcombe's hybrid score interval (his
 * method 10): good coverage for small counts and rates near 0, where the Wald interval fails.
 *
 * @example proportionDifference(56, 70, 48, 80) // { estimate: 0.2, lower: 0.0524, upper: 0.3339 }
 */
export function proportionDifference(
  x1: number,
  n1: number,
  x2: number,
  n2: number,
  confidence = 0.95,
): Interval {
  const a = wilsonInterval(x1, n1, confidence);
  const b = wilsonInterval(x2, n2, confidence);
  const d = a.estimate - b.estimate;
  return {
    estimate: d,
    lower: d - Math.sqrt((a.estimate - a.lower) ** 2 + (b.upper - b.estimate) ** 2),
    upper: d + Math.sqrt((a.upper - a.estimate) ** 2 + (b.estimate - b.lower) ** 2),
  };
}

/** A sample as counts: size, sum and sum of squares (what one SQL aggregate returns). */
export interface SampleSums {
  n: number;
  sum: number;
  sumSquares: number;
}

/** Mean and unbiased variance from sums (variance 0 below two observations). */
export function meanAndVariance(s: SampleSums): { mean: number; variance: number } {
  if (s.n === 0) return { mean: 0, variance: 0 };
  const mean = s.sum / s.n;
  const variance = s.n > 1 ? Math.max(0, (s.sumSquares - s.n * mean * mean) / (s.n - 1)) : 0;
  return { mean, variance };
}

/**
 * mean1 − mean2 with Welch's interval (unequal variances, Welch–Satterthwaite degrees of freedom).
 * With no variance on either side the interval is the point itself. Needs n ≥ 2 on both sides.
 */
export function meanDifference(a: SampleSums, b: SampleSums, confidence = 0.95): Interval & { df: number } {
  if (a.n < 2 || b.n < 2) throw new RangeError('meanDifference: each side needs at least two observations');
  const x = meanAndVariance(a);
  const y = meanAndVariance(b);
  const va = x.variance / a.n;
  const vb = y.variance / b.n;
  const estimate = x.mean - y.mean;
  if (va + vb === 0) return { estimate, lower: estimate, upper: estimate, df: a.n + b.n - 2 };
  const df = (va + vb) ** 2 / (va ** 2 / (a.n - 1) + vb ** 2 / (b.n - 1));
  const half = studentTQuantile(1 - (1 - confidence) / 2, df) * Math.sqrt(va + vb);
  return { estimate, lower: estimate - half, upper: estimate + half, df };
}
