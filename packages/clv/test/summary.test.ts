import { describe, expect, it } from 'vitest';
import { bgNbdExpectedPurchases, fitBgNbd, predictBgNbd } from '../src/bg-nbd.ts';
import { compressSummary, indexDistinct } from '../src/summary.ts';
import { summariseTransactions } from '../src/transactions.ts';
import { cdnowSampleLog, cdnowSummary, dayNumber } from './cdnow.ts';

const log = cdnowSampleLog();
const summary = summariseTransactions(log, {
  calibrationEnd: dayNumber('19970930'),
  holdoutEnd: dayNumber('19980630'),
  unit: 'week',
});

describe('summaries from CDNOW_sample.txt (data README: derivation and holdout facts)', () => {
  it('all 2,357 rows match the published x exactly and t_x, T, zbar to the published 2 dp', () => {
    const ref = cdnowSummary();
    expect(summary.x.length).toBe(2357);
    let mismatches = 0;
    for (let i = 0; i < summary.x.length; i++) {
      const k = summary.customer[i]!;
      const close = (a: number, b: number) => Math.abs(a - b) <= 0.005 + 1e-9;
      if (
        summary.x[i] !== ref.x[k] ||
        !close(summary.tx[i]!, ref.tx[k]!) ||
        !close(summary.T[i]!, ref.T[k]!) ||
        !close(summary.monetary[i]!, ref.monetary![k]!)
      ) {
        mismatches++;
      }
    }
    expect(mismatches).toBe(0);
  });
  it('holdout: 1,882 repeat purchase days, 334 of them by the 1,411 customers with x = 0, over 39 weeks', () => {
    const h = summary.holdout!;
    let total = 0;
    let byZero = 0;
    let zeros = 0;
    for (let i = 0; i < h.x.length; i++) {
      total += h.x[i]!;
      if (summary.x[i] === 0) {
        byZero += h.x[i]!;
        zeros++;
      }
    }
    expect(h.duration).toBe(39);
    expect([total, byZero, zeros]).toEqual([1882, 334, 1411]);
  });
  it('BG/NBD on the raw-log summary tracks the week-78 cumulative 4,339 repeat purchases within 5% (FHL 2005, fig. 2 shows the same under-forecast)', () => {
    const fit = fitBgNbd(summary);
    let cumulative = 0;
    for (let i = 0; i < summary.T.length; i++)
      cumulative += bgNbdExpectedPurchases(fit.params, summary.T[i]! + 39);
    expect(Math.abs(cumulative / 4339 - 1)).toBeLessThan(0.05);
  });
  it('BG/NBD: Σ E[Y(39) | x, t_x, T] is within 15% of the 1,882 actual holdout purchase days; x = 0 customers within 10% of 334', () => {
    const fit = fitBgNbd(summary);
    const { expectedPurchases } = predictBgNbd(fit.params, fit.index, 39);
    let total = 0;
    let byZero = 0;
    for (let i = 0; i < expectedPurchases.length; i++) {
      total += expectedPurchases[i]!;
      if (summary.x[i] === 0) byZero += expectedPurchases[i]!;
    }
    expect(Math.abs(total / 1882 - 1)).toBeLessThan(0.15);
    expect(Math.abs(byZero / 334 - 1)).toBeLessThan(0.1);
  });
  it('same-day purchases merge: two rows on one day count once and add their amounts', () => {
    const s = summariseTransactions(
      {
        customer: Uint32Array.of(0, 0, 0, 0),
        day: Int32Array.of(10, 12, 12, 20),
        amount: Float64Array.of(5, 3, 4, 9),
        customerCount: 1,
      },
      { calibrationEnd: 30, unit: 'day' },
    );
    expect([s.x[0], s.tx[0], s.T[0], s.monetary[0]]).toEqual([2, 10, 20, 8]);
  });
});

describe('compression', () => {
  it('CDNOW compresses to distinct (x, t_x, T) rows whose weights sum to 2,357 and map back exactly', () => {
    const s = cdnowSummary();
    const ix = compressSummary(s);
    expect(ix.rowWeight.length).toBeLessThan(2357);
    expect(ix.rowWeight.reduce((a, b) => a + b, 0)).toBe(2357);
    for (let i = 0; i < s.x.length; i++) {
      const j = ix.rowOf[i]!;
      expect([ix.xValues[ix.rowX[j]!], ix.txValues[ix.rowTx[j]!], ix.TValues[ix.rowT[j]!]]).toEqual([
        s.x[i],
        s.tx[i],
        s.T[i],
      ]);
    }
  });
  it('indexDistinct gives the same sorted values on the grid path and the Map path', () => {
    const grid = indexDistinct(Float64Array.of(3, 1, 2, 3, 1));
    const map = indexDistinct(Float64Array.of(3.3333333, 1 / 3, 2e-9, 3.3333333, 1 / 3));
    expect([...grid.values]).toEqual([1, 2, 3]);
    expect([...grid.index]).toEqual([2, 0, 1, 2, 0]);
    expect([...map.values]).toEqual([2e-9, 1 / 3, 3.3333333]);
    expect([...map.index]).toEqual([2, 1, 0, 2, 1]);
  });
});
