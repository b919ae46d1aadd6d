import { describe, expect, it } from 'vitest';
import {
  meanDifference,
  normalQuantile,
  proportionDifference,
  studentTCdf,
  studentTQuantile,
  wilsonInterval,
} from '../src/campaigns/lift-stats.ts';

const sums = (xs: number[]) => ({
  n: xs.length,
  sum: xs.reduce((s, x) => s + x, 0),
  sumSquares: xs.reduce((s, x) => s + x * x, 0),
});

describe('lift statistics against published numbers', () => {
  it('normal quantile: z(0.975) = 1.959964, z(0.001) = −3.090232 (tables; ±1e-6)', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 6);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232, 6);
  });

  it('Student t: t(0.975; 10) = 2.228139, t(0.975; 1) = 12.706205, t(0.975; 24.9) = 2.059958 (scipy 1.17 t.ppf; ±1e-5)', () => {
    expect(studentTQuantile(0.975, 10)).toBeCloseTo(2.228139, 5);
    expect(studentTQuantile(0.975, 1)).toBeCloseTo(12.706205, 4);
    expect(studentTQuantile(0.975, 24.9)).toBeCloseTo(2.059958, 5);
    expect(studentTCdf(0, 7)).toBeCloseTo(0.5, 12);
  });

  it('Wilson interval for 81/263: 0.2553 to 0.3662 (Newcombe 1998, example; ±1e-4)', () => {
    const w = wilsonInterval(81, 263);
    expect(w.lower).toBeCloseTo(0.2553, 4);
    expect(w.upper).toBeCloseTo(0.3662, 4);
  });

  it('difference of proportions, Newcombe 1998 table II method 10: 56/70 − 48/80 → 0.0524 to 0.3339; 9/10 − 3/10 → 0.1705 to 0.8090; 5/56 − 0/29 → −0.0381 to 0.1926 (±1e-4)', () => {
    const a = proportionDifference(56, 70, 48, 80);
    expect(a.estimate).toBeCloseTo(0.2, 10);
    expect(a.lower).toBeCloseTo(0.0524, 4);
    expect(a.upper).toBeCloseTo(0.3339, 4);
    const b = proportionDifference(9, 10, 3, 10);
    expect(b.lower).toBeCloseTo(0.1705, 4);
    expect(b.upper).toBeCloseTo(0.809, 4);
    // A zero count on one side, where the Wald interval collapses.
    const c = proportionDifference(5, 56, 0, 29);
    expect(c.lower).toBeCloseTo(-0.0381, 4);
    expect(c.upper).toBeCloseTo(0.1926, 4);
  });

  it("Welch interval, Wikipedia's Welch's t-test example 1 (t −2.46, ν 24.99): −3.98410 to −0.34924 (scipy 1.17 ttest_ind equal_var=False; ±1e-4)", () => {
    const a1 = [27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4];
    const a2 = [27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4];
    const d = meanDifference(sums(a1), sums(a2));
    expect(d.estimate).toBeCloseTo(-2.166667, 5);
    expect(d.df).toBeCloseTo(24.98853, 4);
    expect(d.lower).toBeCloseTo(-3.9841, 4);
    expect(d.upper).toBeCloseTo(-0.34924, 4);
  });

  it('refuses a proportion out of range and a side with fewer than two observations', () => {
    expect(() => wilsonInterval(5, 4)).toThrow(RangeError);
    expect(() => meanDifference({ n: 1, sum: 1, sumSquares: 1 }, { n: 5, sum: 5, sumSquares: 5 })).toThrow(
      RangeError,
    );
  });
});
