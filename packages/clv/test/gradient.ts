/** Worst relative gap between analytic and central-difference gradients, per kernel. */
import { bgNegLogLik } from '../src/bg-kernel.ts';
import { gammaGammaNegLogLik, prepareSpend } from '../src/gamma-gamma.ts';
import { numericGradient, type Objective } from '../src/optimise.ts';
import { compressSummary } from '../src/summary.ts';
import { cdnowSummary } from './cdnow.ts';

function worstGap(f: Objective, theta: number[]): number {
  const t = Float64Array.from(theta);
  const analytic = new Float64Array(t.length);
  const numeric = new Float64Array(t.length);
  f(t, analytic);
  numericGradient((v) => f(v, undefined))(t, numeric);
  let worst = 0;
  for (let i = 0; i < t.length; i++) {
    worst = Math.max(worst, Math.abs(analytic[i]! - numeric[i]!) / Math.max(1e-3, Math.abs(numeric[i]!)));
  }
  return worst;
}

export function bgNbdLikelihoodGradientCheck(): number[] {
  const s = cdnowSummary();
  const ix = compressSummary(s);
  const gaps = [
    worstGap((t, g) => bgNegLogLik(ix, false, t, g), [0.3, 5, 0.7, 2.1]),
    worstGap((t, g) => bgNegLogLik(ix, true, t, g), [0.5, 6, 0.9, 1.6]),
  ];
  const spend = prepareSpend(s);
  gaps.push(worstGap((t, g) => gammaGammaNegLogLik(spend, t, g), [5, 3, 14]));
  return gaps;
}
