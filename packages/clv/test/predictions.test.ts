import { describe, expect, it } from 'vitest';
import {
  bgNbdConditionalExpectedPurchases,
  bgNbdExpectedPurchases,
  bgNbdProbabilityAlive,
  bgNbdProbabilityOfPurchases,
  predictBgNbd,
} from '../src/bg-nbd.ts';
import { customerLifetimeValue, historicalLtv } from '../src/clv.ts';
import { gammaGammaConditionalExpectedSpend } from '../src/gamma-gamma.ts';
import {
  mbgNbdConditionalExpectedPurchases,
  mbgNbdExpectedPurchases,
  mbgNbdProbabilityOfPurchases,
} from '../src/mbg-nbd.ts';
import {
  paretoNbdConditionalExpectedPurchases,
  paretoNbdExpectedPurchases,
  paretoNbdProbabilityOfPurchases,
  predictParetoNbd,
} from '../src/pareto-nbd.ts';
import { sbgExpectedLifetime, sbgRetentionCurve, subscriptionLtv } from '../src/sbg.ts';
import { cdnowSummary } from './cdnow.ts';
import { bgNbdLikelihoodGradientCheck } from './gradient.ts';

const bg = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
const mbg = { r: 0.525, alpha: 6.183, a: 0.891, b: 1.614 };
const pareto = { r: 0.553, alpha: 10.578, s: 0.606, beta: 11.669 };

describe('P(X(t) = n) is a distribution whose mean is E[X(t)] (to 1e-9)', () => {
  const cases = [
    ['BG/NBD', (n: number) => bgNbdProbabilityOfPurchases(bg, 39, n), bgNbdExpectedPurchases(bg, 39)],
    ['MBG/NBD', (n: number) => mbgNbdProbabilityOfPurchases(mbg, 39, n), mbgNbdExpectedPurchases(mbg, 39)],
    [
      'Pareto/NBD',
      (n: number) => paretoNbdProbabilityOfPurchases(pareto, 39, n),
      paretoNbdExpectedPurchases(pareto, 39),
    ],
  ] as const;
  for (const [name, pmf, mean] of cases) {
    it(name, () => {
      let total = 0;
      let m = 0;
      for (let n = 0; n < 400; n++) {
        const p = pmf(n);
        expect(p).toBeGreaterThanOrEqual(0);
        total += p;
        m += n * p;
      }
      expect(Math.abs(total - 1)).toBeLessThan(1e-9);
      expect(Math.abs(m - mean)).toBeLessThan(1e-9);
    });
  }
});

describe('conditional expectations', () => {
  it('E[Y(t) | 0, 0, 0] = E[X(t)] to 1e-10 for BG/NBD, MBG/NBD and Pareto/NBD', () => {
    expect(bgNbdConditionalExpectedPurchases(bg, 52, 0, 0, 0)).toBeCloseTo(
      bgNbdExpectedPurchases(bg, 52),
      10,
    );
    expect(mbgNbdConditionalExpectedPurchases(mbg, 52, 0, 0, 0)).toBeCloseTo(
      mbgNbdExpectedPurchases(mbg, 52),
      10,
    );
    expect(paretoNbdConditionalExpectedPurchases(pareto, 52, 0, 0, 0)).toBeCloseTo(
      paretoNbdExpectedPurchases(pareto, 52),
      10,
    );
  });
  it('BG/NBD conditional expectation matches the untransformed FHL eq. 10 to 1e-12 at small x', () => {
    const { r, alpha, a, b } = bg;
    const [x, tx, T, t] = [2, 30.43, 38.86, 39];
    // Direct series for 2F1(r+x, b+x; a+b+x−1; z).
    const z = t / (alpha + T + t);
    let term = 1;
    let f = 1;
    for (let k = 0; k < 400; k++) {
      term *= (((r + x + k) * (b + x + k)) / ((a + b + x - 1 + k) * (k + 1))) * z;
      f += term;
    }
    const num = ((a + b + x - 1) / (a - 1)) * (1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * f);
    const den = 1 + (a / (b + x - 1)) * ((alpha + T) / (alpha + tx)) ** (r + x);
    expect(bgNbdConditionalExpectedPurchases(bg, t, x, tx, T)).toBeCloseTo(num / den, 12);
  });
  it('vectorised predictions equal the scalar functions on every CDNOW customer (1e-12)', () => {
    const s = cdnowSummary();
    const v = predictBgNbd(bg, s, 39);
    const p = predictParetoNbd(pareto, s, 39);
    for (let i = 0; i < s.x.length; i += 7) {
      const [x, tx, T] = [s.x[i]!, s.tx[i]!, s.T[i]!];
      expect(v.pAlive[i]).toBeCloseTo(bgNbdProbabilityAlive(bg, x, tx, T), 12);
      expect(v.expectedPurchases[i]).toBeCloseTo(bgNbdConditionalExpectedPurchases(bg, 39, x, tx, T), 12);
      expect(p.expectedPurchases[i]).toBeCloseTo(
        paretoNbdConditionalExpectedPurchases(pareto, 39, x, tx, T),
        12,
      );
    }
  });
  it('Gamma-Gamma E[M | x, m̄] is the population mean pγ/(q−1) at x = 0 and moves toward m̄ as x grows', () => {
    const gg = { p: 6.25, q: 3.74, gamma: 15.44 };
    expect(gammaGammaConditionalExpectedSpend(gg, 0, 0)).toBeCloseTo((6.25 * 15.44) / 2.74, 12);
    const far = gammaGammaConditionalExpectedSpend(gg, 1000, 100);
    expect(Math.abs(far - 100)).toBeLessThan(0.1);
  });
});

describe('analytic gradients agree with central differences (1e-6 relative)', () => {
  it('BG/NBD, MBG/NBD and Gamma-Gamma', () => {
    for (const worst of bgNbdLikelihoodGradientCheck()) expect(worst).toBeLessThan(1e-6);
  });
});

describe('CLV', () => {
  const s = cdnowSummary();
  const spend = new Float64Array(s.x.length).fill(35);
  const weeks = (t: number) => predictBgNbd(bg, s, t).expectedPurchases;
  it('undiscounted CLV over 39 weeks is spend × E[Y(39)] (1e-9)', () => {
    const clv = customerLifetimeValue(weeks, spend, {
      dataUnit: 'week',
      horizon: { length: 39, unit: 'week' },
      discount: { rate: 0, per: 'week' },
    });
    const ey = weeks(39);
    for (let i = 0; i < s.x.length; i += 50) expect(clv[i]).toBeCloseTo(35 * ey[i]!, 9);
  });
  it('the same customers in days or in weeks give the same CLV (units convert, 1e-9)', () => {
    const inDays = { ...s, tx: s.tx.map((v) => v * 7), T: s.T.map((v) => v * 7) };
    const bgDays = { ...bg, alpha: bg.alpha * 7 };
    const opts = {
      horizon: { length: 12, unit: 'month' as const },
      discount: { rate: 0.01, per: 'month' as const },
    };
    const a = customerLifetimeValue(weeks, spend, { ...opts, dataUnit: 'week' });
    const b = customerLifetimeValue((t) => predictBgNbd(bgDays, inDays, t).expectedPurchases, spend, {
      ...opts,
      dataUnit: 'day',
    });
    for (let i = 0; i < s.x.length; i += 50) expect(a[i]).toBeCloseTo(b[i]!, 9);
  });
  it('discounting lowers CLV', () => {
    const opts = { dataUnit: 'week' as const, horizon: { length: 1, unit: 'year' as const } };
    const none = customerLifetimeValue(weeks, spend, { ...opts, discount: { rate: 0, per: 'month' } });
    const some = customerLifetimeValue(weeks, spend, { ...opts, discount: { rate: 0.02, per: 'month' } });
    expect(some[0]!).toBeLessThan(none[0]!);
    expect(some[0]!).toBeGreaterThan(0);
  });
  it('historical LTV = AOV × frequency × lifespan = revenue per customer, per cohort', () => {
    const rows = historicalLtv(
      {
        customer: Uint32Array.of(0, 0, 1, 2),
        day: Int32Array.of(0, 364, 10, 400),
        amount: Float64Array.of(10, 30, 20, 50),
        customerCount: 3,
      },
      (d) => (d < 365 ? '1970' : '1971'),
    );
    expect(rows.map((r) => r.cohort)).toEqual(['1970', '1971']);
    expect(rows[0]!.aov).toBeCloseTo(20, 12);
    expect(rows[0]!.ltv).toBeCloseTo(30, 12);
    expect(rows[1]!.ltv).toBeCloseTo(50, 12);
  });
});

describe('sBG', () => {
  it('¥3,000/month for an expected 36 months is ¥108,000 (α = 2, β = 35: (α+β−1)/(α−1) = 36)', () => {
    const months = sbgExpectedLifetime({ alpha: 2, beta: 35 });
    expect(months).toBe(36);
    expect(subscriptionLtv({ pricePerPeriod: 3000, expectedPeriods: months })).toBe(108000);
  });
  it('the discounted lifetime ₂F₁ form equals the summed survival curve (1e-9); retention rises', () => {
    const p = { alpha: 0.704, beta: 1.182 };
    expect(sbgExpectedLifetime(p, { discountRate: 0.1 })).toBeCloseTo(
      sbgExpectedLifetime(p, { discountRate: 0.1, horizon: 3000 }),
      9,
    );
    const r = sbgRetentionCurve(p, 5);
    for (let t = 1; t < 5; t++) expect(r[t]!).toBeGreaterThan(r[t - 1]!);
  });
  it('α ≤ 1 without discount has an infinite lifetime: it throws infinite_value, never returns Infinity', () => {
    expect(() => sbgExpectedLifetime({ alpha: 0.704, beta: 1.182 })).toThrow(
      expect.objectContaining({ code: 'infinite_value' }),
    );
  });
});
