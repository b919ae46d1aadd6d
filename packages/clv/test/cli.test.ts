import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runClv } from '../src/cli.ts';
import { DATA, HOLDOUT_ARGS, SAMPLE_LOG_ARGS } from './cdnow.ts';
import { memoryIo } from './memory-io.ts';

const summary = join(DATA, 'cdnow_customers_summary.csv');
const withSpend = join(DATA, 'cdnow_customers_summary_with_transactions.csv');
const sampleArgs = SAMPLE_LOG_ARGS;
const holdoutArgs = HOLDOUT_ARGS;

describe('kizuna clv fit', () => {
  it('--json prints model, params under their usual names, logLikelihood and n (FHL 2005 values to 3 dp)', async () => {
    const m = memoryIo();
    expect(await runClv(['fit', '--summary', summary, '--model', 'bgnbd', '--json'], m.io)).toBe(0);
    const j = JSON.parse(m.out());
    expect(j.model).toBe('bgnbd');
    expect(Object.keys(j.params)).toEqual(['r', 'alpha', 'a', 'b']);
    expect(j.params.r).toBeCloseTo(0.243, 3);
    expect(j.logLikelihood).toBeCloseTo(-9582.43, 2);
    expect(j.n).toBe(2357);
  });
  it('gg reads zbar from the FHL file and reports p, q, gamma', async () => {
    const m = memoryIo();
    expect(await runClv(['fit', '--summary', withSpend, '--model', 'gg', '--json'], m.io)).toBe(0);
    const j = JSON.parse(m.out());
    expect(Object.keys(j.params)).toEqual(['p', 'q', 'gamma']);
    expect(j.n).toBe(946);
  });
  it('from the raw CDNOW log (whitespace, no header) the fit matches the published summary fit to 3 dp', async () => {
    const m = memoryIo();
    expect(await runClv(['fit', ...sampleArgs, ...holdoutArgs, '--json'], m.io)).toBe(0);
    const j = JSON.parse(m.out());
    expect([j.params.r, j.params.alpha, j.params.a, j.params.b].map((v: number) => v.toFixed(3))).toEqual([
      '0.243',
      '4.414',
      '0.793',
      '2.426',
    ]);
  });
  it('a bad value names the file, line, column and reason, exit 1', async () => {
    const m = memoryIo({ 'bad.csv': 'frequency,recency,T\n1,2,3\n2,5,4\n' });
    expect(await runClv(['fit', '--summary', 'bad.csv'], m.io)).toBe(1);
    expect(m.err()).toContain('bad.csv line 3, column 2 (recency): 5 is later than T (4)');
  });
  it('a non-number and a negative are named too', async () => {
    const a = memoryIo({ 'a.csv': 'frequency,recency,T\n1,2,3\n1,x,4\n' });
    expect(await runClv(['fit', '--summary', 'a.csv'], a.io)).toBe(1);
    expect(a.err()).toContain("a.csv line 3, column 2 (recency): not a finite number: 'x'");
    const b = memoryIo({ 'b.csv': 'frequency,recency,T\n1,2,3\n1,1,-4\n' });
    expect(await runClv(['fit', '--summary', 'b.csv'], b.io)).toBe(1);
    expect(b.err()).toContain('b.csv line 3, column 3 (T): negative (-4)');
  });
  it('non-convergence exits 3 and says so', async () => {
    const m = memoryIo();
    expect(await runClv(['fit', '--summary', summary, '--max-iterations', '2'], m.io)).toBe(3);
    expect(m.err()).toContain('did not converge');
  });
  it('an unknown model is a usage error naming the choices', async () => {
    const m = memoryIo();
    expect(await runClv(['fit', '--summary', summary, '--model', 'xx'], m.io)).toBe(1);
    expect(m.err()).toContain('--model must be one of bgnbd|mbgnbd|pareto|gg|bgbb');
  });
});

describe('kizuna clv predict and report', () => {
  it('predict writes one CSV row per customer with holdout actuals; actuals total 1,882 (data README)', async () => {
    const m = memoryIo();
    expect(await runClv(['predict', ...sampleArgs, ...holdoutArgs, '--output', 'p.csv'], m.io)).toBe(0);
    const lines = m.written['p.csv']!.trim().split('\n');
    expect(lines[0]).toBe(
      'id,frequency,recency,T,p_alive,expected_purchases,expected_spend,clv,holdout_actual,holdout_predicted',
    );
    expect(lines.length).toBe(2358);
    const actual = lines.slice(1).reduce((a, l) => a + Number(l.split(',')[8]), 0);
    expect(actual).toBe(1882);
    // Customer 0001: x = 2, t_x = 30.43, T = 38.86, so E[Y(39)] = 1.226 (FHL 2005).
    expect(Number(lines[1]!.split(',')[9]).toFixed(3)).toBe('1.226');
  });
  it('predict on a summary needs --unit', async () => {
    const m = memoryIo();
    expect(await runClv(['predict', '--summary', summary], m.io)).toBe(1);
    expect(m.err()).toContain('--unit is required');
  });
  it('report writes self-contained HTML with the holdout, P(alive), CLV and matrix charts and no external references (--lang en: the English headings as before)', async () => {
    const m = memoryIo();
    expect(
      await runClv(['report', ...sampleArgs, ...holdoutArgs, '--lang', 'en', '--output', 'r.html'], m.io),
    ).toBe(0);
    const html = m.written['r.html']!;
    expect(html.match(/<svg /g)?.length).toBe(4);
    for (const heading of [
      'Did the model predict the holdout period?',
      'Who is still active?',
      'What customers are worth',
      'Frequency and recency',
    ]) {
      expect(html).toContain(heading);
    }
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    expect(html).not.toContain('NaN');
  });
});
