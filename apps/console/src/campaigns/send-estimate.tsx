// What a send will cost, shown before the confirm: the segment's members now, less the holdout,
// priced by the workspace's LINE plan (GET /v1/campaigns/line-plan). An estimate: the audience is
// fixed when the campaign sends, and blocked or unconsented customers are not messaged.
import { Alert, Descriptions } from 'antd';
import { ErrorState, Loading } from '../app/states.tsx';
import { formatNumber, formatYen } from '../i18n/format.ts';
import { useLocale, useT } from '../i18n/locale.tsx';
import { campaignMessages, PLAN_NAMES } from './messages.ts';
import { useLinePlan, yenPerMessage } from './queries.ts';

export function SendEstimate({
  audience,
  holdoutPercent,
}: {
  audience: number | null;
  holdoutPercent: number;
}) {
  const t = useT(campaignMessages);
  const { lang } = useLocale();
  const plan = useLinePlan();
  if (plan.isPending) return <Loading />;
  if (plan.isError) return <ErrorState error={plan.error} retry={() => plan.refetch()} />;
  const p = plan.data;
  const per = yenPerMessage(p);
  const messages = audience === null ? null : Math.round(audience * (1 - holdoutPercent / 100));
  const yen = (v: number) => formatYen(v, lang);
  const perText = Number.isInteger(per) ? yen(per) : t('yenValue', { value: formatNumber(per, lang) });
  return (
    <div className="kz-estimate">
      <Descriptions
        size="small"
        column={1}
        bordered
        title={t('estimate')}
        items={[
          {
            key: 'audience',
            label: t('estimateAudience'),
            children: audience === null ? '—' : formatNumber(audience, lang),
          },
          {
            key: 'holdout',
            label: t('estimateHeldOut', { percent: formatNumber(holdoutPercent, lang) }),
            children: audience === null || messages === null ? '—' : formatNumber(audience - messages, lang),
          },
          {
            key: 'messages',
            label: t('estimateMessages'),
            children: messages === null ? '—' : formatNumber(messages, lang),
          },
          {
            key: 'plan',
            label: t('estimatePlan'),
            children: `${t('estimatePlanValue', {
              plan: PLAN_NAMES[lang][p.plan] ?? p.plan,
              fee: yen(p.monthlyFeeYen),
              free: formatNumber(p.freeMessages, lang),
              extra: p.yenPerAdditionalMessage === null ? t('noAdditional') : yen(p.yenPerAdditionalMessage),
            })}${p.configured ? '' : t('planNotConfigured')}`,
          },
          {
            key: 'cost',
            label: t('estimateCost'),
            children:
              messages === null
                ? '—'
                : t('estimateCostValue', { yen: yen(Math.round(messages * per)), per: perText }),
          },
        ]}
      />
      <Alert type="info" showIcon style={{ marginTop: 8 }} title={t('estimateNote')} />
    </div>
  );
}
