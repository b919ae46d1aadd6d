import { describe, expect, it } from 'vitest';
import { bgBbConditionalExpectedPurchases, bgBbExpectedPurchases, fitBgBb } from '../src/bg-bb.ts';
import { bgNegLogLik } from '../src/bg-kernel.ts';
import { bgNbdConditionalExpectedPurchases, fitBgNbd } from '../src/bg-nbd.ts';
import { compressSummary } from '../src/compress.ts';
import { fitGammaGamma } from '../src/gamma-gamma.ts';
import { fitMbgNbd } from '../src/mbg-nbd.ts';
import { numericGradient, standardErrors } from '../src/optimise.ts';
import { fitParetoNbd } from '../src/pareto-nbd.ts';
import { fitSbg } from '../src/sbg.ts';
import { cdnowSummary, donations } from './cdnow.ts';

/** |actual − published| ≤ half a unit in the last published digit. */
function expectPublished(actual: number, published: number, decimals: number) {
  expect(Math.abs(actual - published)).toBeLessThanOrEqual(0.5 * 10 ** -decimals + 1e-12);
}

describe('BG/NBD on CDNOW (Fader, Hardie & Lee 2005)', () => {
  const fit = fitBgNbd(cdnowSummary());
  it('r 0.243, α 4.414, a 0.793, b 2.426 to the published 3 dp', () => {
    expect(fit.diagnostics.converged).toBe(true);
    expectPublished(fit.params.r, 0.243, 3);
    expectPublished(fit.params.alpha, 4.414, 3);
    expectPublished(fit.params.a, 0.793, 3);
    expectPublished(fit.params.b, 2.426, 3);
  });
  it('LL −9582.4 to the published 1 dp', () => {
    expectPublished(fit.logLikelihood, -9582.4, 1);
  });
  it('E[Y(39) | x=2, t_x=30.43, T=38.86] = 1.226 to 3 dp (FHL 2005, section 5)', () => {
    expectPublished(bgNbdConditionalExpectedPurchases(fit.params, 39, 2, 30.43, 38.86), 1.226, 3);
  });
  it('standard errors 0.013, 0.378, 0.186, 0.705 to 3 dp (lifetimes BetaGeoFitter summary on the same file)', () => {
    expectPublished(fit.standardErrors.r, 0.013, 3);
    expectPublished(fit.standardErrors.alpha, 0.378, 3);
    expectPublished(fit.standardErrors.a, 0.186, 3);
    expectPublished(fit.standardErrors.b, 0.705, 3);
  });
});

describe('standard errors from second differences of the value alone (the path for numerical gradients)', () => {
  it('reproduce the BG/NBD CDNOW standard errors 0.013, 0.378, 0.186, 0.705 to 3 dp', () => {
    const s = cdnowSummary();
    const ix = compressSummary(s);
    const fit = fitBgNbd(s);
    const theta = Float64Array.from([fit.params.r, fit.params.alpha, fit.params.a, fit.params.b]);
    const se = standardErrors(
      numericGradient((t) => bgNegLogLik(ix, false, t, undefined)),
      theta,
      fit.n,
    );
    expectPublished(se[0]!, 0.013, 3);
    expectPublished(se[1]!, 0.378, 3);
    expectPublished(se[2]!, 0.186, 3);
    expectPublished(se[3]!, 0.705, 3);
    // and agree with the analytic-gradient path (forward differences of the gradient) to 1e-3 relative
    for (const [i, k] of (['r', 'alpha', 'a', 'b'] as const).entries()) {
      expect(Math.abs(se[i]! / fit.standardErrors[k] - 1)).toBeLessThan(1e-3);
    }
  });
});

describe('Pareto/NBD on CDNOW (Fader & Hardie 2005, "A note on deriving the Pareto/NBD model")', () => {
  const fit = fitParetoNbd(cdnowSummary());
  it('LL −9595.0 to the published 1 dp', () => {
    expect(fit.diagnostics.converged).toBe(true);
    expectPublished(fit.logLikelihood, -9595.0, 1);
  });
  it('standard errors are finite for all four parameters (from second differences of the LL, its gradient being numerical)', () => {
    for (const k of ['r', 'alpha', 's', 'beta'] as const) {
      expect(fit.standardErrors[k]).toBeGreaterThan(0);
      expect(fit.standardErrors[k]).toBeLessThan(fit.params[k]);
    }
  });
  it('r 0.553, α 10.578, s 0.606, β 11.669 within 1e-3 relative (the LL is flat in β)', () => {
    const published = { r: 0.553, alpha: 10.578, s: 0.606, beta: 11.669 };
    for (const [k, v] of Object.entries(published)) {
      expect(Math.abs(fit.params[k as keyof typeof published] / v - 1)).toBeLessThan(1e-3);
    }
  });
});

describe('Gamma-Gamma on the 946 CDNOW repeat buyers (Fader & Hardie 2013)', () => {
  const fit = fitGammaGamma(cdnowSummary());
  it('fits exactly the 946 customers with x > 0', () => {
    expect(fit.n).toBe(946);
  });
  it('p 6.25, q 3.74 to the published 2 dp; γ 15.44 within 1e-3 relative (we, like lifetimes, get 15.448)', () => {
    expect(fit.diagnostics.converged).toBe(true);
    expectPublished(fit.params.p, 6.25, 2);
    expectPublished(fit.params.q, 3.74, 2);
    expect(Math.abs(fit.params.gamma / 15.44 - 1)).toBeLessThan(1e-3);
  });
});

describe('BG/BB on the 1995 donor cohort (Fader, Hardie & Shang 2010)', () => {
  const fit = fitBgBb(donations());
  it('α 1.204, β 0.750, γ 0.657, δ 2.783 to the published 3 dp, over 11,104 donors', () => {
    expect(fit.n).toBe(11104);
    expectPublished(fit.params.alpha, 1.204, 3);
    expectPublished(fit.params.beta, 0.75, 3);
    expectPublished(fit.params.gamma, 0.657, 3);
    expectPublished(fit.params.delta, 2.783, 3);
  });
  it('LL −33,225.6 to the published 1 dp', () => {
    expectPublished(fit.logLikelihood, -33225.6, 1);
  });
  it('E[X(n, n+n*) | 0, 0, 0] equals E[X(n*)] to 1e-12 (eq. 13 reduces to eq. 7)', () => {
    expect(bgBbConditionalExpectedPurchases(fit.params, 5, 0, 0, 0)).toBeCloseTo(
      bgBbExpectedPurchases(fit.params, 5),
      12,
    );
  });
});

describe('MBG/NBD on CDNOW (Batislam et al. 2007 model)', () => {
  it('r 0.525, α 6.183, a 0.891, b 1.614 to 3 dp (the values lifetimes tests ModifiedBetaGeoFitter against)', () => {
    const fit = fitMbgNbd(cdnowSummary());
    expect(fit.diagnostics.converged).toBe(true);
    expectPublished(fit.params.r, 0.525, 3);
    expectPublished(fit.params.alpha, 6.183, 3);
    expectPublished(fit.params.a, 0.891, 3);
    expectPublished(fit.params.b, 1.614, 3);
  });
});

describe('sBG (Fader & Hardie 2007, "How to project customer retention", years 0-7)', () => {
  it('high end: α 0.668, β 3.806 to 3 dp', () => {
    const fit = fitSbg([1000, 869, 743, 653, 593, 551, 517, 491]);
    expectPublished(fit.params.alpha, 0.668, 3);
    expectPublished(fit.params.beta, 3.806, 3);
  });
  it('regular: α 0.704, β 1.182 to 3 dp', () => {
    const fit = fitSbg([1000, 631, 468, 382, 326, 289, 262, 241]);
    expectPublished(fit.params.alpha, 0.704, 3);
    expectPublished(fit.params.beta, 1.182, 3);
  });
});
