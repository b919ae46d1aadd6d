/**
 * The analytic Hessians the standard errors come from (BG/NBD, MBG/NBD, Gamma-Gamma) against
 * central differences of the analytic gradients, and the own trigamma against @stdlib's.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { simulate } from '../../../bench/clv/simulate.ts';
import { bgNegLogLikHessian } from '../src/bg-hessian.ts';
import { bgNegLogLik } from '../src/bg-kernel.ts';
import { compressSummary } from '../src/compress.ts';
import { gammaGammaNegLogLik, gammaGammaNegLogLikHessian, prepareSpend } from '../src/gamma-gamma.ts';
import type { Objective } from '../src/optimise.ts';
import { trigamma } from '../src/special.ts';
import { cdnowSummary } from './cdnow.ts';

/** Largest |analytic − central difference| relative to the entry (or to 1e-3 of its diagonal). */
function worstAgainstDifferences(f: Objective, H: Float64Array, theta: Float64Array): number {
  const k = theta.length;
  const up = new Float64Array(k);
  const down = new Float64Array(k);
  let worst = 0;
  for (let j = 0; j < k; j++) {
    const h = 1e-5 * theta[j]!;
    const t = Float64Array.from(theta);
    t[j] = theta[j]! + h;
    f(t, up);
    t[j] = theta[j]! - h;
    f(t, down);
    for (let i = 0; i < k; i++) {
      const fd = (up[i]! - down[i]!) / (2 * h);
      const scale = Math.max(Math.abs(H[i * k + j]!), 1e-3 * Math.abs(H[i * k + i]!));
      worst = Math.max(worst, Math.abs(fd - H[i * k + j]!) / scale);
    }
  }
  return worst;
}

const datasets = [
  ['CDNOW (weeks)', cdnowSummary(), Float64Array.of(0.3, 4.4, 0.8, 2.4)],
  ['simulated days', simulate(20_000, 3), Float64Array.of(0.3, 20, 0.8, 2.4)],
] as const;

describe('analytic Hessians agree with central differences of the gradient to 1e-7', () => {
  for (const [name, s, theta] of datasets) {
    it(`BG/NBD and MBG/NBD, ${name}`, () => {
      const ix = compressSummary(s);
      for (const modified of [false, true]) {
        const H = bgNegLogLikHessian(ix, modified, theta);
        const f: Objective = (t, g) => bgNegLogLik(ix, modified, t, g);
        expect(worstAgainstDifferences(f, H, theta)).toBeLessThan(1e-7);
      }
    });
    it(`Gamma-Gamma, ${name}`, () => {
      const d = prepareSpend(s);
      const theta = Float64Array.of(6, 3.7, 15);
      const H = gammaGammaNegLogLikHessian(d, theta);
      expect(worstAgainstDifferences((t, g) => gammaGammaNegLogLik(d, t, g), H, theta)).toBeLessThan(1e-7);
    });
  }
});

describe('own trigamma against @stdlib, the reference', () => {
  it('agrees to 1e-14 relative over 1e-6 … 1e7, and defers to @stdlib off that range', () => {
    const require = createRequire(import.meta.url);
    const T: (x: number) => number = require('@stdlib/math-base-special-trigamma');
    let worst = 0;
    for (let i = 0; i <= 20_000; i++) {
      const x = Math.exp(-13.8 + (30 * i) / 20_000);
      for (const v of [x, Math.round(x) || 1, x + 0.5])
        worst = Math.max(worst, Math.abs(trigamma(v) / T(v) - 1));
    }
    expect(worst).toBeLessThan(1e-14);
    for (const v of [0, -0.5, 1e-9, Number.NaN, Number.POSITIVE_INFINITY])
      expect(Object.is(trigamma(v), T(v))).toBe(true);
  });
});
