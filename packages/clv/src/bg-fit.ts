/** Fitting shared by BG/NBD and MBG/NBD. */

import { bgNegLogLikHessian } from './bg-hessian.ts';
import { bgNegLogLik } from './bg-kernel.ts';
import type { BgParams } from './bg-params.ts';
import { compressGeneral } from './compress.ts';
import { compressIntegers } from './compress-int.ts';
import { ClvError } from './errors.ts';
import { type FitOptions, type FitResult, runFit } from './fit-result.ts';
import { type RfmIndex, type RfmSummary, subsampleIndex, validateSummary } from './summary.ts';

export interface BgFit extends FitResult<BgParams> {
  /** The compressed summary, reusable for predictions on the same customers. */
  index: RfmIndex;
}

export function fitBg(summary: RfmSummary, modified: boolean, options: FitOptions = {}): BgFit {
  // The integer fast path checks every row as it goes (and declines any row a fit would reject),
  // so only the general path needs the separate validation pass, which names the bad row.
  let ix = compressIntegers(summary);
  if (ix === undefined) {
    validateSummary(summary, { minCustomers: 4 });
    ix = compressGeneral(summary);
  } else if (ix.totalWeight < 4) {
    validateSummary(summary, { minCustomers: 4 }); // throws too_few_customers
  }
  // Σx and ΣT: from the integer compression when it has them (exact sums, so the same values as
  // the loop; the loop, once per process, would run unoptimised over every compressed row).
  let sx = ix.sumX ?? 0;
  let sT = ix.sumT ?? 0;
  if (ix.sumX === undefined)
    for (let j = 0; j < ix.rowWeight.length; j++) sx += ix.rowWeight[j]! * ix.xValues[ix.rowX[j]!]!;
  if (ix.sumT === undefined)
    for (let j = 0; j < ix.rowWeight.length; j++) sT += ix.rowWeight[j]! * ix.TValues[ix.rowT[j]!]!;
  if (sx === 0) {
    throw new ClvError(
      'degenerate_data',
      'no customer has a repeat purchase (all x = 0): the purchase rate cannot be estimated',
    );
  }
  if (sT === 0) {
    throw new ClvError('degenerate_data', 'every customer has T = 0: there is no observed time to fit on');
  }
  // Start at r = 1 with α matching the observed repeat rate Σx/ΣT.
  const start = [1, sT / sx, 1, 3];
  const fit = runFit<BgParams>(
    modified ? 'mbgnbd' : 'bgnbd',
    ['r', 'alpha', 'a', 'b'],
    (theta, grad) => bgNegLogLik(ix, modified, theta, grad),
    start,
    ix.totalWeight,
    ix.rowWeight.length,
    options,
    ix.rowWeight.length > 50_000 ? warmStart(subsampleIndex(ix, 16), modified) : undefined,
    (theta) => bgNegLogLikHessian(ix, modified, theta),
  );
  return { ...fit, index: ix };
}

function warmStart(sub: RfmIndex, modified: boolean) {
  return (theta: Float64Array, grad: Float64Array | undefined) => bgNegLogLik(sub, modified, theta, grad);
}
