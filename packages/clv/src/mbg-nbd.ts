/**
 * MBG/NBD (Batislam, Denizel & Filiztekin 2007). As BG/NBD, but a customer can also drop out
 * right after the first purchase: after every purchase, including the first, they drop out with
 * probability p ~ Beta(a, b).
 *
 * @example
 * const fit = fitMbgNbd({ x, tx, T });
 * const { pAlive, expectedPurchases } = predictMbgNbd(fit.params, fit.index, 39);
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

export type { BgParams as MbgNbdParams };

/** Maximum-likelihood fit (weights honoured). */
export function fitMbgNbd(summary: RfmSummary, options: FitOptions = {}): BgFit {
  return fitBg(summary, true, options);
}

/** E[X(t)] for a customer just acquired. */
export function mbgNbdExpectedPurchases(p: BgParams, t: number): number {
  return bgExpectedPurchases(p, t, true);
}

/** E[Y(t) | x, t_x, T]. */
export function mbgNbdConditionalExpectedPurchases(
  p: BgParams,
  t: number,
  x: number,
  tx: number,
  T: number,
): number {
  return bgConditionalExpectedPurchases(p, t, x, tx, T, true);
}

export function mbgNbdProbabilityAlive(p: BgParams, x: number, tx: number, T: number): number {
  return bgProbabilityAlive(p, x, tx, T, true);
}

/** P(X(t) = n) for a customer just acquired. */
export function mbgNbdProbabilityOfPurchases(p: BgParams, t: number, n: number): number {
  return bgProbabilityOfPurchases(p, t, n, true);
}

/** P(alive) and E[Y(t) | x, t_x, T] per customer. */
export function predictMbgNbd(p: BgParams, data: RfmSummary | RfmIndex, t: number): BgPredictions {
  return bgPredict(p, data, t, true);
}
