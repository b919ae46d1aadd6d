import { drawSbgSubscribers } from '@kizuna/test-support';
import { describe, expect, it } from 'vitest';
import { runClv } from '../src/cli.ts';
import { subscriptionLtvByPlan } from '../src/subscription-ltv.ts';
import { parseSubscriptionsCsv } from '../src/subscriptions-csv.ts';
import { memoryIo } from './memory-io.ts';

const HEADER = 'subscription_id,plan,interval,ordered_at,amount,status';
// 60 new ¥3,000-a-month subscribers a month through 2025 (α 0.704, β 1.182, seed 3), dates in JST.
const rows = drawSbgSubscribers({ alpha: 0.704, beta: 1.182, perMonth: 60, months: 12, seed: 3 }).flatMap(
  (s) =>
    s.payments.map(
      (at) =>
        `b${s.n},ベーシック,month,${new Date(at.getTime() + 9 * 3_600_000).toISOString().slice(0, 10)} 10:00,3000,`,
    ),
);
const csv = [HEADER, ...rows, 'y1,年間,year,2025-06-01,30000,completed'].join('\n');

describe('kizuna clv subscriptions', () => {
  it('--json gives the plans subscriptionLtvByPlan gives on the same orders, as of --as-of (JST)', async () => {
    const m = memoryIo({ 's.csv': csv });
    expect(
      await runClv(['subscriptions', '--subscriptions', 's.csv', '--as-of', '2026-01-20', '--json'], m.io),
    ).toBe(0);
    const printed = JSON.parse(m.out());
    expect(printed.asOf).toBe('2026-01-19T15:00:00.000Z');
    const direct = subscriptionLtvByPlan(parseSubscriptionsCsv(csv, 's.csv'), {
      asOf: new Date(printed.asOf),
    });
    expect(printed.plans).toEqual(JSON.parse(JSON.stringify(direct)));
    expect(printed.plans.map((p: { plan: string; status: string }) => [p.plan, p.status])).toEqual([
      ['ベーシック', 'fitted'],
      ['年間', 'insufficientData'],
    ]);
    expect(printed.plans[0].ltv).toBe(Math.round(3000 * printed.plans[0].expectedPeriods));
  });

  it('prints each plan in Japanese with its LTV in yen, or why there is no fit', async () => {
    const m = memoryIo({ 's.csv': csv });
    expect(await runClv(['subscriptions', '--subscriptions', 's.csv', '--as-of', '2026-01-20'], m.io)).toBe(
      0,
    );
    expect(m.out()).toMatch(/ベーシック（1か月ごと）: 契約 720件/);
    expect(m.out()).toMatch(/LTV ¥[\d,]+\n/);
    expect(m.out()).toContain('データ不足 (tooFewPeriods): 経過した期間 0 / 必要 3');
  });

  it('names the line and column of a bad cell and exits 1', async () => {
    const m = memoryIo({
      'bad.csv': `${HEADER}\nb1,p,month,2025-01-10,3000,\nb1,p,fortnight,2025-02-10,3000,\n`,
    });
    expect(await runClv(['subscriptions', '--subscriptions', 'bad.csv'], m.io)).toBe(1);
    expect(m.err()).toContain("bad.csv line 3, column interval: must be week, month or year: 'fortnight'");
    const missing = memoryIo({ 'm.csv': 'subscription_id,plan,ordered_at,amount\n' });
    expect(await runClv(['subscriptions', '--subscriptions', 'm.csv'], missing.io)).toBe(1);
    expect(missing.err()).toContain('no interval column');
  });
});
