// A campaign's results: per variant, all variants and the holdout; the lift over the holdout with
// its 95% interval, and what the LINE messages cost against the revenue lift.
import { Card, Col, Row, Space, Statistic, Table, Typography } from 'antd';
import { ErrorState, Loading } from '../app/states.tsx';
import { formatNumber, formatPercent, formatYen } from '../i18n/format.ts';
import { useLocale, useT } from '../i18n/locale.tsx';
import { formatPoints, formatSignedYen, LiftStatistic } from '../journeys/lift.tsx';
import { campaignMessages } from './messages.ts';
import { type CampaignResults as Results, useCampaignResults } from './queries.ts';

type Group = Results['groups'][number];

export function CampaignResults({ campaignId }: { campaignId: number }) {
  const t = useT(campaignMessages);
  const { lang } = useLocale();
  const results = useCampaignResults(campaignId, true);
  if (results.isPending) return <Loading />;
  if (results.isError) return <ErrorState error={results.error} retry={() => results.refetch()} />;
  const r = results.data;
  const messaged = r.groups.find((g) => g.group === 'all') ?? r.groups.find((g) => g.group !== 'holdout');
  const yen = (v: number) => formatYen(v, lang);
  const intervalText = (lower: string, upper: string) => t('interval', { lower, upper });
  const groupName = (g: string) =>
    g === 'all' ? t('groupAll') : g === 'holdout' ? t('groupHoldout') : t('groupVariant', { key: g });
  const liftCell = (lift: Group['lift'], which: 'conversionRate' | 'revenuePerCustomer') => {
    if (!lift) return t('noLift');
    const i = lift[which];
    const f = (v: number) => (which === 'conversionRate' ? formatPoints(v, lang) : formatSignedYen(v, lang));
    return (
      <span>
        {f(i.estimate)}
        <Typography.Text type="secondary" style={{ display: 'block', fontSize: 12 }}>
          [{f(i.lower)}, {f(i.upper)}]
        </Typography.Text>
      </span>
    );
  };
  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Text type="secondary">{t('window', { days: r.attributionDays })}</Typography.Text>
      <Row gutter={[16, 16]}>
        <Col xs={12} lg={6}>
          <Card size="small">
            <Statistic title={t('headlineConverted')} value={formatNumber(messaged?.converted ?? 0, lang)} />
          </Card>
        </Col>
        <Col xs={12} lg={6}>
          <Card size="small">
            <LiftStatistic
              title={t('headlineLiftRate')}
              interval={messaged?.lift?.conversionRate}
              format={(v) => formatPoints(v, lang)}
              intervalText={intervalText}
              none={t('noLiftHeadline')}
            />
          </Card>
        </Col>
        <Col xs={12} lg={6}>
          <Card size="small">
            <LiftStatistic
              title={t('headlineLiftRevenue')}
              interval={messaged?.lift?.revenuePerCustomer}
              format={(v) => formatSignedYen(v, lang)}
              intervalText={intervalText}
              none={t('noLiftHeadline')}
            />
          </Card>
        </Col>
        <Col xs={12} lg={6}>
          <Card size="small">
            <Statistic title={t('headlineCost')} value={yen(messaged?.costYen ?? 0)} />
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t('liftPerYen')}:{' '}
              {messaged?.revenueLiftPerYen == null
                ? t('noLift')
                : t('yenValue', { value: formatNumber(messaged.revenueLiftPerYen, lang) })}
            </Typography.Text>
          </Card>
        </Col>
      </Row>
      <Table<Group>
        rowKey="group"
        size="small"
        pagination={false}
        dataSource={r.groups}
        columns={[
          { title: t('group'), dataIndex: 'group', width: 130, render: groupName },
          {
            title: t('audienceCount'),
            dataIndex: 'audience',
            align: 'right',
            render: (n: number) => formatNumber(n, lang),
          },
          {
            title: t('delivered'),
            dataIndex: 'delivered',
            align: 'right',
            render: (n: number) => formatNumber(n, lang),
          },
          {
            title: t('clicked'),
            dataIndex: 'clicked',
            align: 'right',
            render: (n: number) => formatNumber(n, lang),
          },
          {
            title: t('converted'),
            dataIndex: 'converted',
            align: 'right',
            render: (n: number) => formatNumber(n, lang),
          },
          {
            title: t('conversionRate'),
            dataIndex: 'conversionRate',
            align: 'right',
            render: (v: number | null) => (v === null ? '—' : formatPercent(v, lang)),
          },
          { title: t('revenue'), dataIndex: 'revenue', align: 'right', render: yen },
          {
            title: t('liftRate'),
            key: 'liftRate',
            align: 'right',
            render: (_, g) => liftCell(g.lift, 'conversionRate'),
          },
          {
            title: t('liftRevenue'),
            key: 'liftRevenue',
            align: 'right',
            render: (_, g) => liftCell(g.lift, 'revenuePerCustomer'),
          },
          { title: t('cost'), dataIndex: 'costYen', align: 'right', render: yen },
        ]}
      />
    </Space>
  );
}
