/**
 * Special functions: ln Γ and digamma for the fits, plus the numerically careful helpers
 * (softplus, log-sum-exp) the likelihoods share. ln B, ₂F₁ and trigamma come from @stdlib in
 * special-more.ts.
 *
 * Why ln Γ and ψ are not @stdlib's here: `@stdlib/math-base-special-gammaln` and `-digamma` load
 * about 175 small CommonJS modules (116 even through their `dist` bundles, which still require
 * each dependency's own bundle), ≈ 50 ms of every `kizuna clv fit` start-up, more than a Gamma-Gamma
 * fit on a million customers. For the positive finite arguments the likelihoods use, both are
 * @stdlib's own algorithms inlined (same coefficients, same steps); the tests check them against
 * @stdlib, which stays the reference. Anything else (x ≤ 0, NaN, ±∞, tiny or huge x) goes to @stdlib itself, loaded on
 * first use.
 */
import { createRequire } from 'node:module';

type Special = (x: number) => number;
let stdlib: { gammaln: Special; digamma: Special; trigamma: Special } | undefined;
function reference() {
  if (!stdlib) {
    const require = createRequire(import.meta.url);
    stdlib = {
      gammaln: require('@stdlib/math-base-special-gammaln'),
      digamma: require('@stdlib/math-base-special-digamma'),
      trigamma: require('@stdlib/math-base-special-trigamma'),
    };
  }
  return stdlib;
}

/**
 * ln Γ(x): @stdlib's algorithm (FreeBSD's lgamma, via @stdlib/math-base-special-gammaln, Apache-2.0)
 * for positive finite x, inlined so the fits do not load @stdlib's module tree.
 */
export function gammaln(x: number): number {
  if (!(x >= 1.3877787807814457e-17 && x < 72057594037927936)) return reference().gammaln(x);
  if (x === 1 || x === 2) return 0;
  if (x < 2) {
    let r: number;
    let y: number;
    let flg: number;
    if (x <= 0.9) {
      r = -Math.log(x);
      if (x >= YMIN - 1 + 0.27) {
        y = 1 - x;
        flg = 0;
      } else if (x >= YMIN - 1 - 0.27) {
        y = x - (TC - 1);
        flg = 1;
      } else {
        y = x;
        flg = 2;
      }
    } else {
      r = 0;
      if (x >= YMIN + 0.27) {
        y = 2 - x;
        flg = 0;
      } else if (x >= YMIN - 0.27) {
        y = x - TC;
        flg = 1;
      } else {
        y = x - 1;
        flg = 2;
      }
    }
    if (flg === 0) {
      const z = y * y;
      const p1 =
        0.07721566490153287 +
        z *
          (0.06735230105312927 +
            z *
              (0.007385550860814029 +
                z * (0.0011927076318336207 + z * (0.00022086279071390839 + z * 0.000025214456545125733))));
      const p2 =
        z *
        (0.3224670334241136 +
          z *
            (0.020580808432516733 +
              z *
                (0.0028905138367341563 +
                  z * (0.0005100697921535113 + z * (0.00010801156724758394 + z * 0.000044864094961891516)))));
      r += y * p1 + p2 - 0.5 * y;
    } else if (flg === 1) {
      const z = y * y;
      const w = z * y;
      const p1 =
        0.48383612272381005 +
        w *
          (-0.032788541075985965 +
            w * (0.006100538702462913 + w * (-0.0014034646998923284 + w * 0.00031563207090362595)));
      const p2 =
        -0.1475877229945939 +
        w *
          (0.01797067508118204 +
            w * (-0.0036845201678113826 + w * (0.000881081882437654 + w * -0.00031275416837512086)));
      const p3 =
        0.06462494023913339 +
        w *
          (-0.010314224129834144 +
            w * (0.0022596478090061247 + w * (-0.0005385953053567405 + w * 0.0003355291926355191)));
      const p = z * p1 - (TT - w * (p2 + y * p3));
      r += TF + p;
    } else {
      const p1 =
        y *
        (-0.07721566490153287 +
          y *
            (0.6328270640250934 +
              y *
                (1.4549225013723477 +
                  y * (0.9777175279633727 + y * (0.22896372806469245 + y * 0.013381091853678766)))));
      const p2 =
        1 +
        y *
          (2.4559779371304113 +
            y *
              (2.128489763798934 +
                y * (0.7692851504566728 + y * (0.10422264559336913 + y * 0.003217092422824239))));
      r += -0.5 * y + p1 / p2;
    }
    return r;
  }
  if (x < 8) {
    const flg = Math.trunc(x);
    const y = x - flg;
    const p =
      y *
      (-0.07721566490153287 +
        y *
          (0.21498241596060885 +
            y *
              (0.325778796408931 +
                y *
                  (0.14635047265246445 +
                    y * (0.02664227030336386 + y * (0.0018402845140733772 + y * 0.00003194753265841009))))));
    const q =
      1 +
      y *
        (1.3920053346762105 +
          y *
            (0.7219355475671381 +
              y *
                (0.17193386563280308 +
                  y * (0.01864591917156529 + y * (0.0007779424963818936 + y * 0.000007326684307446256)))));
    let r = 0.5 * y + p / q;
    let z = 1;
    for (let k = flg - 1; k >= 2; k--) z *= y + k; // (y+2)(y+3)…(y+flg−1), as @stdlib's fall-through switch
    if (flg >= 3) r += Math.log(z);
    return r;
  }
  const t = Math.log(x);
  const z = 1 / x;
  const y = z * z;
  const w =
    0.4189385332046727 +
    z *
      (0.08333333333333297 +
        y *
          (-0.0027777777772877554 +
            y *
              (0.0007936505586430196 +
                y * (-0.00059518755745034 + y * (0.0008363399189962821 + y * -0.0016309293409657527)))));
  return (x - 0.5) * (t - 1) + w;
}
const YMIN = 1.4616321449683622;
const TC = 1.4616321449683622;
const TF = -0.12148629053584961;
const TT = -3.638676997039505e-18;

/** ψ(x) = d ln Γ(x) / dx: @stdlib's algorithm (Boost's) for positive finite x, inlined likewise. */
export function digamma(x: number): number {
  if (!(x > 0 && x < 1e300)) return reference().digamma(x);
  if (x >= 10) {
    const v = x - 1;
    const z = 1 / (v * v);
    const poly =
      0.08333333333333333 +
      z *
        (-0.008333333333333333 +
          z *
            (0.003968253968253968 +
              z *
                (-0.004166666666666667 +
                  z *
                    (0.007575757575757576 +
                      z * (-0.021092796092796094 + z * (0.08333333333333333 + z * -0.4432598039215686))))));
    return Math.log(v) + 1 / (2 * v) - z * poly;
  }
  let tmp = 0;
  while (x > 2) {
    x -= 1;
    tmp += 1 / x;
  }
  while (x < 1) {
    tmp -= 1 / x;
    x += 1;
  }
  // Rational approximation on [1, 2] around the root of ψ.
  const y = x - 1;
  let r: number;
  if (y === 0) r = 0.25479851061131553;
  else {
    const s1 =
      0.25479851061131553 +
      y *
        (-0.3255503118680449 +
          y *
            (-0.6503185377089651 +
              y * (-0.28919126444774784 + y * (-0.04525132144873906 + y * (-0.002071332116774595 + y * 0)))));
    const s2 =
      1 +
      y *
        (2.076711702373047 +
          y *
            (1.4606242909763516 +
              y *
                (0.43593529692665967 +
                  y * (0.054151797245674226 + y * (0.0021284987017821146 + y * -5.578984132167551e-7)))));
    r = s1 / s2;
  }
  let g = x - 1569415565 / 1073741824;
  g -= 381566830 / 1073741824 / 1073741824;
  g -= 9.016312093258695e-20;
  return tmp + (g * 0.99558162689208984 + g * r);
}

/**
 * ψ'(x), for the analytic Hessians of the fits' standard errors (loading @stdlib's trigamma would
 * load its module tree at every fit's start-up, see above). For positive finite x: the recurrence
 * ψ'(x) = ψ'(x + 1) + 1/x² up to x ≥ 10, then the asymptotic series 1/x + 1/(2x²) + Σ B₂ₖ/x^(2k+1)
 * to B₁₄ (the first term left out is below 1e-16 there). The tests check it against @stdlib's,
 * which everything else goes to.
 */
export function trigamma(x: number): number {
  if (!(x >= 1e-8 && x < 1e300)) return reference().trigamma(x);
  let acc = 0;
  while (x < 10) {
    acc += 1 / (x * x);
    x += 1;
  }
  const u = 1 / x;
  const z = u * u;
  const series =
    z *
    (1 / 6 + z * (-1 / 30 + z * (1 / 42 + z * (-1 / 30 + z * (5 / 66 + z * (-691 / 2730 + z * (7 / 6)))))));
  return acc + u + z / 2 + u * series;
}

/**
 * Batched logs in the kernels: Σ ln fᵢ as ln Π fᵢ, flushed every 16 rows. The running product
 * starts at 1.5, not 1, and ln 1.5 comes off at each flush: a product that stayed exactly 1 (the
 * warm-start subsample has no weight-1 rows, so multiplies nothing in) would teach V8 small-integer
 * arithmetic there, and the first full-data call would deoptimise the compiled kernel.
 */
export const PROD_START = 1.5;
export const LN_PROD_START = Math.log(PROD_START);

/** log(1 + e^d) without overflow. */
export function softplus(d: number): number {
  return d > 0 ? d + Math.log1p(Math.exp(-d)) : Math.log1p(Math.exp(d));
}

/** log(e^u + e^v). */
export function logAddExp(u: number, v: number): number {
  if (u === Number.NEGATIVE_INFINITY) return v;
  if (v === Number.NEGATIVE_INFINITY) return u;
  return u > v ? u + Math.log1p(Math.exp(v - u)) : v + Math.log1p(Math.exp(u - v));
}

/** log(e^u − e^v) for u ≥ v; −Infinity when they are equal. */
export function logSubExp(u: number, v: number): number {
  if (v === Number.NEGATIVE_INFINITY) return u;
  return u + Math.log1p(-Math.exp(v - u));
}
