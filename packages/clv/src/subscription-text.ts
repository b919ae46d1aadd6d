/** Subscription LTV per plan as text for a shop owner (Japanese), for the two `kizuna clv subscriptions` forms. */
import type { PlanLtv } from './subscription-ltv.ts';

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

/** The plans, one paragraph each, under the instant the data ends. */
export function subscriptionPlansText(asOf: Date, plans: readonly PlanLtv[]): string {
  return `${asOf.toISOString()} 時点\n${plans.length ? plans.map(planText).join('') : '定期購入の注文はありません\n'}`;
}
