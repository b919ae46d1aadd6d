/**
 * BG/NBD (Fader, Hardie & Lee 2005, "Counting your customers the easy way"). While alive, a
 * customer buys at Poisson rate λ ~ Gamma(r, α); after each repeat purchase they drop out with
 * probability p ~ Beta(a, b).
 *
 * @example
 * const fit = fitBgNbd({ x, tx, T });
 * const { pAlive, expectedPurchases } = predictBgNbd(fit.params, fit.index, 39);
 */

import { type BgFit, fitBg } from './bg-fit.ts';
import type { BgParams } from './bg-params.ts';
import {
  type BgPredictions,
  bgConditionalExpectedPurchases,
  bgExpectedPurchases,
  bgPredict,
  bgProbabilityAlive,
  bgProbabilityOfPurchases,
} from './bg-predict.ts';
import type { FitOptions } from './fit-result.ts';
import type { RfmIndex, RfmSummary } from './summary.ts';

export type { BgParams as BgNbdParams };

/** Maximum-likelihood fit (weights honoured). */
export function fitBgNbd(summary: RfmSummary, options: FitOptions = {}): BgFit {
  return fitBg(summary, false, options);
}

/** E[X(t)] for a customer just acquired. */
export function bgNbdExpectedPurchases(p: BgParams, t: number): number {
  return bgExpectedPurchases(p, t, false);
}

/** E[Y(t) | x, t_x, T]. */
export function bgNbdConditionalExpectedPurchases(
  p: BgParams,
  t: number,
  x: number,
  tx: number,
  T: number,
): number {
  return bgConditionalExpectedPurchases(p, t, x, tx, T, false);
}

export function bgNbdProbabilityAlive(p: BgParams, x: number, tx: number, T: number): number {
  return bgProbabilityAlive(p, x, tx, T, false);
}

/** P(X(t) = n) for a customer just acquired. */
export function bgNbdProbabilityOfPurchases(p: BgParams, t: number, n: number): number {
  return bgProbabilityOfPurchases(p, t, n, false);
}

/** P(alive) and E[Y(t) | x, t_x, T] per customer. */
export function predictBgNbd(p: BgParams, data: RfmSummary | RfmIndex, t: number): BgPredictions {
  return bgPredict(p, data, t, false);
}
