/** `kizuna clv subscriptions --subscriptions FILE`: subscription LTV per plan from a CSV. */
import { positiveNumber } from './cli-args.ts';
import { ClvError } from './errors.ts';
import { type PlanLtv, subscriptionLtvByPlan } from './subscription-ltv.ts';
import { parseJapanInstant, parseSubscriptionsCsv } from './subscriptions-csv.ts';

const yen = (v: number) => `¥${v.toLocaleString('ja-JP')}`;
const UNIT_JA = { week: '週', month: 'か月', year: '年' } as const;

function planText(p: PlanLtv): string {
  const head = `${p.plan}（${p.intervalCount}${UNIT_JA[p.interval]}ごと）: 契約 ${p.subscribers}件、継続中 ${p.active}件、1回あたり ${yen(p.pricePerPeriod)}`;
  if (p.status === 'insufficientData')
    return `${head}\n  データ不足 (${p.reason}): 経過した期間 ${p.periodsObserved} / 必要 ${p.periodsNeeded}、契約 ${p.subscribers} / 必要 ${p.subscribersNeeded}\n`;
  const uncapped =
    p.expectedPeriodsUncapped === null
      ? '上限なしでは無限大'
      : `上限なしで ${p.expectedPeriodsUncapped.toFixed(2)}`;
  return (
    `${head}\n  sBG α ${p.params.alpha.toFixed(3)}, β ${p.params.beta.toFixed(3)}${p.converged ? '' : '（収束せず）'}` +
    `、継続率 ${p.retention
      .slice(0, 3)
      .map((r) => `${(r * 100).toFixed(1)}%`)
      .join(' → ')} …\n` +
    `  期待継続回数 ${p.expectedPeriods.toFixed(2)} 回（上限 ${p.lifetimeCapPeriods} 回、${uncapped}）、LTV ${yen(p.ltv)}\n`
  );
}

export function subscriptionsCommand(
  flags: Map<string, string>,
  readFile: (path: string) => Uint8Array,
  out: (text: string) => void,
): number {
  const file = flags.get('subscriptions');
  if (!file)
    throw new ClvError('invalid_input', '--subscriptions FILE is required', { field: 'subscriptions' });
  const payments = parseSubscriptionsCsv(new TextDecoder().decode(readFile(file)), file);
  const asOfText = flags.get('as-of');
  const asOf = asOfText
    ? (parseJapanInstant(asOfText) ??
      (() => {
        throw new ClvError('invalid_input', `--as-of is not a date: '${asOfText}'`, { field: 'as-of' });
      })())
    : new Date(payments.reduce((m, p) => Math.max(m, p.at.getTime()), 0));
  const minSubscribers = positiveNumber(flags, 'min-subscribers', 10);
  const plans = subscriptionLtvByPlan(payments, { asOf, minSubscribers });
  if (flags.has('json')) out(`${JSON.stringify({ asOf: asOf.toISOString(), plans })}\n`);
  else out(`${asOf.toISOString()} 時点\n${plans.map(planText).join('')}`);
  return 0;
}
