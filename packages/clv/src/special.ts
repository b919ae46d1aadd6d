/**
 * Special functions. Thin typed re-exports of @stdlib (ln Γ and digamma here; the rest in
 * special-more.ts), plus
 * the numerically careful helpers (softplus, log-sum-exp) the likelihoods share.
 */
import digammaImpl from '@stdlib/math-base-special-digamma';
import gammalnImpl from '@stdlib/math-base-special-gammaln';

export const gammaln: (x: number) => number = gammalnImpl;
export const digamma: (x: number) => number = digammaImpl;
// ln B, ₂F₁ and trigamma are in special-more.ts: the fits of BG/NBD and Gamma-Gamma do not need
// them, and each @stdlib package loads a few hundred small modules at start-up.

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
