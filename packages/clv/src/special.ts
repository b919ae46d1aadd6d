/**
 * Special functions. Thin typed re-exports of @stdlib so the models import one local module, plus
 * the numerically careful helpers (softplus, log-sum-exp) the likelihoods share.
 */
import betalnImpl from '@stdlib/math-base-special-betaln';
import digammaImpl from '@stdlib/math-base-special-digamma';
import gammalnImpl from '@stdlib/math-base-special-gammaln';
import hyp2f1Impl from '@stdlib/math-base-special-hyp2f1';
import trigammaImpl from '@stdlib/math-base-special-trigamma';

export const gammaln: (x: number) => number = gammalnImpl;
export const betaln: (a: number, b: number) => number = betalnImpl;
export const digamma: (x: number) => number = digammaImpl;
export const trigamma: (x: number) => number = trigammaImpl;
export const hyp2f1: (a: number, b: number, c: number, z: number) => number = hyp2f1Impl;

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
