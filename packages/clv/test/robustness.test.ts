import { describe, expect, it } from 'vitest';
import { fitBgBb } from '../src/bg-bb.ts';
import { fitBgNbd, predictBgNbd } from '../src/bg-nbd.ts';
import { ClvError } from '../src/errors.ts';
import { fitGammaGamma } from '../src/gamma-gamma.ts';
import { fitMbgNbd, predictMbgNbd } from '../src/mbg-nbd.ts';
import { fitParetoNbd, predictParetoNbd } from '../src/pareto-nbd.ts';
import type { RfmSummary } from '../src/summary.ts';
import { cdnowSummary } from './cdnow.ts';

const base = cdnowSummary();
const extend = (a: Float64Array, v: number[]) => Float64Array.from([...a, ...v]);
/** CDNOW plus heavy buyers (x = 10,000 and 5,000) and customers acquired on the last day (T = 0). */
const extreme: RfmSummary = {
  x: extend(base.x, [10000, 5000, 0, 0]),
  tx: extend(base.tx, [38, 20, 0, 0]),
  T: extend(base.T, [38.86, 30, 0, 0]),
  monetary: extend(base.monetary!, [20, 30, 0, 0]),
};
const n = extreme.x.length;

function expectClvError(f: () => unknown, code: string, field?: string) {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ClvError);
    expect((e as ClvError).code).toBe(code);
    if (field !== undefined) expect((e as ClvError).field).toBe(field);
    return;
  }
  expect.unreachable(`expected ClvError ${code}`);
}

describe('extreme but valid data: x up to 10,000 and T = 0', () => {
  const models = [
    ['BG/NBD', fitBgNbd, predictBgNbd],
    ['MBG/NBD', fitMbgNbd, predictMbgNbd],
    ['Pareto/NBD', fitParetoNbd, predictParetoNbd],
  ] as const;
  for (const [name, fit, predict] of models) {
    it(`${name}: converges with a finite LL; P(alive) in [0, 1] and finite expectations for every customer`, () => {
      const f = fit(extreme);
      expect(f.diagnostics.converged).toBe(true);
      expect(Number.isFinite(f.logLikelihood)).toBe(true);
      const p = predict(f.params as never, f.index, 39);
      for (let i = 0; i < n; i++) {
        expect(p.pAlive[i]).toBeGreaterThanOrEqual(0);
        expect(p.pAlive[i]).toBeLessThanOrEqual(1);
        expect(Number.isFinite(p.expectedPurchases[i])).toBe(true);
      }
      // 10,000 purchases in 38 weeks then 0.86 weeks of silence: surely gone.
      expect(p.pAlive[n - 4]).toBeLessThan(1e-6);
    });
  }
  it('BG/NBD: a customer acquired on the last day (T = 0) is alive with the population expectation', () => {
    const f = fitBgNbd(extreme);
    const p = predictBgNbd(f.params, f.index, 39);
    expect(p.pAlive[n - 1]).toBe(1);
    expect(p.expectedPurchases[n - 1]).toBeGreaterThan(0);
  });
  it('Gamma-Gamma fits with x = 10,000 among the repeat buyers', () => {
    const f = fitGammaGamma(extreme);
    expect(f.n).toBe(948);
    expect(f.diagnostics.converged).toBe(true);
  });
});

describe('degenerate data is refused with a typed error, never NaN', () => {
  const zeros: RfmSummary = {
    x: new Float64Array(50),
    tx: new Float64Array(50),
    T: new Float64Array(50).fill(20),
  };
  it('all customers with x = 0: BG/NBD, MBG/NBD, Pareto/NBD say degenerate_data; Gamma-Gamma too_few_customers', () => {
    expectClvError(() => fitBgNbd(zeros), 'degenerate_data');
    expectClvError(() => fitMbgNbd(zeros), 'degenerate_data');
    expectClvError(() => fitParetoNbd(zeros), 'degenerate_data');
    expectClvError(() => fitGammaGamma({ ...zeros, monetary: new Float64Array(50) }), 'too_few_customers');
  });
  it('all customers with T = 0 is degenerate_data', () => {
    const t0 = { x: Float64Array.of(0, 0, 0, 0, 1), tx: new Float64Array(5), T: new Float64Array(5) };
    expectClvError(() => fitBgNbd(t0), 'degenerate_data');
  });
  it('an empty summary and a too-small one are too_few_customers', () => {
    const empty = { x: new Float64Array(0), tx: new Float64Array(0), T: new Float64Array(0) };
    expectClvError(() => fitBgNbd(empty), 'too_few_customers');
    expectClvError(
      () => fitBgNbd({ x: Float64Array.of(1), tx: Float64Array.of(1), T: Float64Array.of(2) }),
      'too_few_customers',
    );
  });
  it('BG/BB with every customer on one x is degenerate_data', () => {
    const one = {
      x: Float64Array.of(1, 1, 1, 1),
      tx: Float64Array.of(2, 2, 2, 2),
      T: Float64Array.of(6, 6, 6, 6),
    };
    expectClvError(() => fitBgBb(one), 'degenerate_data');
  });
});

describe('bad input names the row and field', () => {
  const good = () => ({
    x: Float64Array.of(1, 2, 0, 3, 1),
    tx: Float64Array.of(5, 6, 0, 7, 2),
    T: Float64Array.of(10, 10, 10, 10, 10),
  });
  const cases: [string, (s: ReturnType<typeof good>) => void, string][] = [
    [
      'negative T',
      (s) => {
        s.T[1] = -1;
      },
      'T',
    ],
    [
      'negative t_x',
      (s) => {
        s.tx[1] = -0.5;
      },
      't_x',
    ],
    [
      't_x later than T',
      (s) => {
        s.tx[3] = 11;
      },
      't_x',
    ],
    [
      'non-finite x',
      (s) => {
        s.x[0] = Number.NaN;
      },
      'x',
    ],
    [
      'infinite T',
      (s) => {
        s.T[4] = Number.POSITIVE_INFINITY;
      },
      'T',
    ],
    [
      't_x without repeat purchases',
      (s) => {
        s.tx[2] = 3;
      },
      't_x',
    ],
  ];
  for (const [what, spoil, field] of cases) {
    it(what, () => {
      const s = good();
      spoil(s);
      try {
        fitBgNbd(s);
        expect.unreachable('should throw');
      } catch (e) {
        expect((e as ClvError).code).toBe('invalid_input');
        expect((e as ClvError).field).toBe(field);
        expect((e as Error).message).toMatch(/^row \d+: /);
      }
    });
  }
  it('Gamma-Gamma needs a positive monetary value for repeat buyers', () => {
    expectClvError(
      () => fitGammaGamma({ ...good(), monetary: Float64Array.of(10, 0, 0, 5, 3) }),
      'invalid_input',
      'monetary_value',
    );
  });
});

describe('non-convergence is reported', () => {
  it('a fit stopped after 2 iterations says converged: false, with finite numbers and a reason', () => {
    const f = fitBgNbd(cdnowSummary(), { maxIterations: 2 });
    expect(f.diagnostics.converged).toBe(false);
    expect(f.diagnostics.message).toMatch(/no convergence in 2 iterations/);
    expect(Number.isFinite(f.logLikelihood)).toBe(true);
  });
  it('a start where the likelihood is not finite throws not_converged', () => {
    expectClvError(() => fitBgNbd(cdnowSummary(), { start: [1e308, 1e308, 1, 1] }), 'not_converged');
  });
});
