/**
 * The fast paths against the general ones they replace: integer compression, Gamma-Gamma rows
 * merged by (x, m̄), the fast CSV row loop, and `fit --model bgnbd,gg` on one parse.
 */
import { describe, expect, it } from 'vitest';
import { simulate, summaryCsv } from '../../../bench/clv/simulate.ts';
import { type CliIo, runClv } from '../src/cli.ts';
import { compressGeneral } from '../src/compress.ts';
import { compressIntegers } from '../src/compress-int.ts';
import { fitGammaGamma, gammaGammaNegLogLik, prepareSpend } from '../src/gamma-gamma.ts';
import { gammaln } from '../src/special.ts';
import { parseSummaryCsv } from '../src/summary-csv.ts';

const sim = simulate(20_000, 7);
const csvText = summaryCsv(sim);

describe('fast paths give the general paths’ answers', () => {
  it('integer compression is identical, row for row and weight for weight, to the general path', () => {
    const weight = Float64Array.from(sim.x, (_, i) => 1 + (i % 3) * 0.5);
    // T and t_x past 2^16 (the first pass's table size) and x past it too: the larger tables' pass.
    const long = {
      ...sim,
      x: sim.x.map((x, i) => (i === 5 && x > 0 ? 70_000 : x)),
      tx: sim.tx.map((t) => (t > 0 ? t + 80_000 : 0)),
      T: sim.T.map((t) => t + 80_000),
    };
    for (const s of [sim, { ...sim, weight }, long]) {
      const a = compressGeneral(s);
      const b = compressIntegers(s);
      expect(b).toBeDefined();
      for (const key of Object.keys(a) as (keyof typeof a)[]) {
        const u = a[key];
        const v = b![key];
        if (typeof u === 'number') expect(v).toBe(u);
        else expect(Array.from(v as ArrayLike<number>)).toEqual(Array.from(u as ArrayLike<number>));
      }
    }
    expect(compressIntegers({ ...sim, T: sim.T.map((t) => t + 0.5) })).toBeUndefined();
  });
  it('Gamma-Gamma on rows merged by (x, m̄): same −LL and gradient as the per-customer sum, same fit', () => {
    const d = prepareSpend(sim);
    expect(d.xm.length).toBeLessThan(d.total); // spends to the cent repeat, so rows merge
    for (const theta of [
      [6, 4, 15],
      [2, 3, 30],
    ]) {
      const [p, q, g] = theta as [number, number, number];
      let ll = 0;
      let n = 0;
      for (let i = 0; i < sim.x.length; i++) {
        const x = sim.x[i]!;
        const m = sim.monetary[i]!;
        if (x === 0) continue;
        n++;
        ll +=
          gammaln(p * x + q) -
          gammaln(p * x) -
          gammaln(q) +
          q * Math.log(g) +
          (p * x - 1) * Math.log(m) +
          p * x * Math.log(x) -
          (p * x + q) * Math.log(g + x * m);
      }
      const v = gammaGammaNegLogLik(d, Float64Array.from(theta), undefined);
      expect(Math.abs(v / (-ll / n) - 1)).toBeLessThan(1e-12);
    }
    // Off the cent grid nothing merges; the fit must not move beyond 1e-6.
    const offGrid = { ...sim, monetary: sim.monetary.map((m) => m * (1 + 1e-15)) };
    expect(prepareSpend(offGrid).xm.length).toBeGreaterThan(d.xm.length);
    const a = fitGammaGamma(sim).params;
    const b = fitGammaGamma(offGrid).params;
    for (const k of ['p', 'q', 'gamma'] as const) expect(Math.abs(a[k] / b[k] - 1)).toBeLessThan(1e-6);
  });
  it('Gamma-Gamma preparation from the integer compression’s x order equals its own sort by x', () => {
    const bad = Float64Array.from(sim.monetary);
    const firstBuyer = sim.x.findIndex((x) => x > 0);
    bad[firstBuyer] = -1;
    const offGrid = sim.monetary.map((m) => m * (1 + 1e-15));
    for (const monetary of [sim.monetary, offGrid]) {
      const s = { ...sim, monetary };
      const ix = compressIntegers(s);
      expect(ix?.customerOrder).toBeDefined();
      const a = prepareSpend(s);
      const b = prepareSpend(s, ix);
      for (const key of Object.keys(a) as (keyof typeof a)[]) {
        const u = a[key];
        const v = b[key];
        if (typeof u === 'number') expect(v).toBe(u);
        else expect(Array.from(v as ArrayLike<number>)).toEqual(Array.from(u));
      }
    }
    // A bad m̄ is reported by the general path, naming the row in input order.
    const s = { ...sim, monetary: bad };
    expect(() => prepareSpend(s, compressIntegers(s))).toThrow(
      new RegExp(`row ${firstBuyer}: monetary_value`),
    );
  });
  it('the fast CSV loop parses what Number() parses, and hands odd rows to the general loop', () => {
    const text = `${csvText.trimEnd()}\r\n\n1e1,2,3,4.5\n`;
    const csv = parseSummaryCsv(new TextEncoder().encode(text), 'f.csv');
    const lines = text.trim().split(/\r?\n/).slice(1).filter(Boolean);
    expect(csv.x.length).toBe(lines.length);
    lines.forEach((l, i) => {
      const [x, tx, T, m] = l.split(',').map(Number);
      expect([csv.x[i], csv.tx[i], csv.T[i], csv.monetary![i]]).toEqual([x, tx, T, m]);
    });
    const bad = parseSummaryCsv.bind(undefined, new TextEncoder().encode('x,t_x,T\n1,2,3\n1,4,3\n'), 'b.csv');
    expect(bad).toThrow(/b\.csv line 3, column 2 \(t_x\): 4 is later than T/);
  });
  it("the CSV reader's integer columns (made while parsing) compress exactly as the compression's own first pass", () => {
    const csv = parseSummaryCsv(new TextEncoder().encode(csvText), 'f.csv');
    expect(csv.intColumns).toBeDefined();
    expect(Array.from(csv.intColumns!.xi)).toEqual(Array.from(csv.x));
    const s = { x: csv.x, tx: csv.tx, T: csv.T };
    const own = compressIntegers(s)!;
    const fromCsv = compressIntegers({ ...s, intColumns: csv.intColumns })!;
    for (const key of Object.keys(own) as (keyof typeof own)[]) {
      const u = own[key];
      const v = fromCsv[key];
      if (typeof u === 'number' || u === undefined) expect(v).toBe(u);
      else expect(Array.from(v as ArrayLike<number>)).toEqual(Array.from(u));
    }
    // Not whole, past the first tables, or finished by the general loop: no integer columns.
    expect(parseSummaryCsv(new TextEncoder().encode('x,t_x,T\n1,2.5,3\n'), 'f').intColumns).toBeUndefined();
    expect(parseSummaryCsv(new TextEncoder().encode('x,t_x,T\n1,2,70000\n'), 'f').intColumns).toBeUndefined();
    expect(
      parseSummaryCsv(new TextEncoder().encode('x,t_x,T\n1,2,3\n1e0,2,3\n'), 'f').intColumns,
    ).toBeUndefined();
    // A bad row is still named by its line, also in the middle of the fast loop.
    const bad = new TextEncoder().encode('x,t_x,T\n1,2,3\n0,1,3\n2,1,3\n');
    expect(() => parseSummaryCsv(bad, 'b.csv')).toThrow(/b\.csv line 3, column 2 \(t_x\): must be 0/);
    const negWeight = new TextEncoder().encode('x,t_x,T,weight\n1,2,3,1\n1,2,3,-2\n');
    expect(() => parseSummaryCsv(negWeight, 'w.csv')).toThrow(/w\.csv line 3, column 4 \(weight\): negative/);
  });
});

describe('kizuna clv fit --model bgnbd,gg', () => {
  it('prints an array with both fits, equal to the single-model runs', async () => {
    const run = async (model: string) => {
      let out = '';
      const io: CliIo = {
        readFile: () => new TextEncoder().encode(csvText),
        writeFile: () => {},
        out: (t) => {
          out += t;
        },
        err: () => {},
      };
      expect(await runClv(['fit', '--summary', 'sim.csv', '--model', model, '--json'], io)).toBe(0);
      return JSON.parse(out);
    };
    const both = await run('bgnbd,gg');
    expect(both.map((f: { model: string }) => f.model)).toEqual(['bgnbd', 'gg']);
    expect(both[0].params).toEqual((await run('bgnbd')).params);
    expect(both[1].params).toEqual((await run('gg')).params);
    let err = '';
    const io: CliIo = {
      readFile: () => new TextEncoder().encode(csvText),
      writeFile: () => {},
      out: () => {},
      err: (t) => {
        err += t;
      },
    };
    expect(await runClv(['fit', '--summary', 's.csv', '--model', 'gg,gg'], io)).toBe(1);
    expect(err).toMatch(/names a model twice/);
  });
});

describe('own ln Γ and ψ (fit start-up) against @stdlib, the reference', () => {
  it('agree to 1e-13 · max(1, |value|) over 1e-6 … 1e7, and defer to @stdlib off the positive reals', async () => {
    const { createRequire } = await import('node:module');
    const require = createRequire(import.meta.url);
    const G: (x: number) => number = require('@stdlib/math-base-special-gammaln');
    const D: (x: number) => number = require('@stdlib/math-base-special-digamma');
    const { digamma } = await import('../src/special.ts');
    let worst = 0;
    for (let i = 0; i <= 20_000; i++) {
      const x = Math.exp(-13.8 + (30 * i) / 20_000);
      for (const v of [x, Math.round(x) || 1, x + 0.5]) {
        worst = Math.max(worst, Math.abs(gammaln(v) - G(v)) / Math.max(1, Math.abs(G(v))));
        worst = Math.max(worst, Math.abs(digamma(v) - D(v)) / Math.max(1, Math.abs(D(v))));
      }
    }
    expect(worst).toBeLessThan(1e-13);
    for (const v of [0, -0.5, -3, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(Object.is(gammaln(v), G(v))).toBe(true);
      expect(Object.is(digamma(v), D(v))).toBe(true);
    }
  });
});

/** A `ByteSource` over bytes in memory, handing out at most `step` bytes per read. */
function sourceOf(bytes: Uint8Array, step: number) {
  let at = 0;
  let closed = 0;
  return {
    source: {
      size: bytes.length,
      read: (buf: Uint8Array, offset: number, length: number) => {
        const got = Math.min(length, step, bytes.length - at);
        buf.set(bytes.subarray(at, at + got), offset);
        at += got;
        return got;
      },
      close: () => {
        closed++;
      },
    },
    closed: () => closed,
  };
}

describe('the summary CSV read in chunks, and weeks that are whole days', () => {
  const columns = (c: ReturnType<typeof parseSummaryCsv>) =>
    [c.x, c.tx, c.T, c.monetary!].map((a) => Array.from(a));
  it('chunk by chunk (down to lines longer than a chunk) it reads what it reads from the whole bytes, and closes the file', () => {
    const weeks = summaryCsv(sim, 'week');
    for (const text of [csvText, weeks, `${weeks.trimEnd()}\r\n\n1e1,2,3,4.5`]) {
      const bytes = new TextEncoder().encode(text);
      const whole = parseSummaryCsv(bytes, 'f.csv');
      for (const chunkBytes of [8, 100, 4096]) {
        const { source, closed } = sourceOf(bytes, 1000);
        const chunked = parseSummaryCsv(source, 'f.csv', { chunkBytes });
        expect(columns(chunked)).toEqual(columns(whole));
        expect(chunked.intColumns === undefined).toBe(whole.intColumns === undefined);
        expect(closed()).toBe(1);
      }
    }
    // A bad row is named by its line wherever the chunks fall, and the file is closed.
    const bad = new TextEncoder().encode(`${csvText}0,1,3,0\n`);
    const { source, closed } = sourceOf(bad, 333);
    expect(() => parseSummaryCsv(source, 'b.csv', { chunkBytes: 64 })).toThrow(
      new RegExp(`b\\.csv line ${sim.x.length + 2}, column 2 \\(recency\\): must be 0`),
    );
    expect(closed()).toBe(1);
  });
  it('weeks with six decimals take the integer path: the values are the file’s own, the compression and the fits the general path’s', async () => {
    const csv = parseSummaryCsv(new TextEncoder().encode(summaryCsv(sim, 'week')), 'w.csv');
    expect(csv.intColumns).toBeDefined();
    expect(Array.from(csv.T.subarray(0, 3))).toEqual(
      Array.from(sim.T.subarray(0, 3), (t) => Number((t / 7).toFixed(6))),
    );
    const plain = { x: Float64Array.from(csv.x), tx: Float64Array.from(csv.tx), T: Float64Array.from(csv.T) };
    const general = compressGeneral(plain);
    const fromCsv = compressIntegers({ ...plain, intColumns: csv.intColumns })!;
    for (const key of Object.keys(general) as (keyof typeof general)[]) {
      const u = general[key];
      const v = fromCsv[key];
      if (typeof u === 'number') expect(v).toBe(u);
      else expect(Array.from(v as ArrayLike<number>)).toEqual(Array.from(u as ArrayLike<number>));
    }
    // A second value in one slot (98.43 beside 98.428571, both 689 days) leaves the grid.
    const mixed = `x,t_x,T\n1,2,98.428571\n1,2,98.43\n`;
    expect(parseSummaryCsv(new TextEncoder().encode(mixed), 'm').intColumns).toBeUndefined();
    expect(
      compressIntegers({
        x: Float64Array.of(1, 1),
        tx: Float64Array.of(2, 2),
        T: Float64Array.of(98.428571, 98.43),
      }),
    ).toBeUndefined();
  });
  it('Gamma-Gamma from the x order with spends past the first cent table (yen-sized) equals its own sort by x', () => {
    const monetary = sim.monetary.map((m, i) => (i % 7 === 0 ? 20_000 + Math.round(m) : m));
    const s = { ...sim, monetary };
    const a = prepareSpend(s);
    const b = prepareSpend(s, compressIntegers(s));
    expect(a.xm.length).toBeLessThan(a.total);
    for (const key of Object.keys(a) as (keyof typeof a)[]) {
      const u = a[key];
      const v = b[key];
      if (typeof u === 'number') expect(v).toBe(u);
      else expect(Array.from(v as ArrayLike<number>)).toEqual(Array.from(u));
    }
  });
  it('the reader’s whole cents: Gamma-Gamma prepares from them what it prepares from the doubles; off the cent grid, doubles', () => {
    const threeDecimals = csvText.replace(/\n(\d+,\d+,\d+,\d+\.\d\d)\n/, '\n$15\n');
    expect(threeDecimals).not.toBe(csvText);
    for (const [text, inCents] of [
      [csvText, true],
      [summaryCsv(sim, 'week'), true],
      [threeDecimals, false],
      [`${csvText}1e1,2,3,4.5\n`, false],
    ] as const) {
      const csv = parseSummaryCsv(new TextEncoder().encode(text), 'f.csv');
      expect(csv.monetaryCents !== undefined).toBe(inCents);
      const plain = {
        x: Float64Array.from(csv.x),
        tx: Float64Array.from(csv.tx),
        T: Float64Array.from(csv.T),
        monetary: Float64Array.from(csv.monetary!),
      };
      const a = prepareSpend(plain);
      const b = prepareSpend(csv, compressIntegers(csv));
      for (const key of Object.keys(a) as (keyof typeof a)[]) {
        const u = a[key];
        const v = b[key];
        if (typeof u === 'number') expect(v).toBe(u);
        else expect(Array.from(v as ArrayLike<number>)).toEqual(Array.from(u));
      }
    }
  });
  it('fit --model bgnbd,mbgnbd,gg on one parse prints what each model prints alone (days and weeks)', async () => {
    for (const text of [csvText, summaryCsv(sim, 'week')]) {
      const run = async (model: string) => {
        let out = '';
        const io: CliIo = {
          readFile: () => new TextEncoder().encode(text),
          writeFile: () => {},
          out: (t) => {
            out += t;
          },
          err: () => {},
        };
        expect(await runClv(['fit', '--summary', 's.csv', '--model', model, '--json'], io)).toBe(0);
        return JSON.parse(out);
      };
      const all = await run('bgnbd,mbgnbd,gg');
      expect(all[0].params).toEqual((await run('bgnbd')).params);
      expect(all[1].params).toEqual((await run('mbgnbd')).params);
      expect(all[2].params).toEqual((await run('gg')).params);
    }
  });
});
