// A journey's results: who entered, what was sent and clicked, conversions and revenue of the
// treated group, the lift over the holdout with its 95% interval, and what the LINE messages cost.
import { Card, Col, InputNumber, Row, Space, Statistic, Table, Typography } from 'antd';
import { useState } from 'react';
import { EmptyState, ErrorState, Loading } from '../app/states.tsx';
import { PLAN_NAMES } from '../campaigns/messages.ts';
import { formatNumber, formatPercent, formatYen } from '../i18n/format.ts';
import { useLocale, useT } from '../i18n/locale.tsx';
import type { JourneyDefinitionView } from './definition-view.ts';
import { reasonName } from './journey-labels.ts';
import { formatPoints, formatSignedYen, LiftStatistic } from './lift.tsx';
import { journeyMessages } from './messages.ts';
import { type JourneyResults as Results, useJourneyResults } from './queries.ts';

type Group = Results['groups'][number];
type Step = Results['steps'][number];

export function JourneyResults({
  journeyId,
  definition,
}: {
  journeyId: number;
  definition: JourneyDefinitionView;
}) {
  const t = useT(journeyMessages);
  const [attributionDays, setAttributionDays] = useState<number | undefined>();
  const results = useJourneyResults(journeyId, attributionDays);
  if (results.isPending) return <Loading />;
  if (results.isError) return <ErrorState error={results.error} retry={() => results.refetch()} />;
  const r = results.data;
  const labels = new Map(definition.nodes.map((n) => [n.id, n.label ?? n.id]));
  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Space>
        <label htmlFor="attribution-days">{t('attributionDays')}</label>
        <InputNumber
          id="attribution-days"
          min={1}
          max={365}
          value={attributionDays ?? r.attributionDays}
          onChange={(v) => setAttributionDays(v ?? undefined)}
        />
      </Space>
      {r.entered.runs === 0 ? (
        <EmptyState title={t('resultsEmpty')} next={t('resultsEmptyNext')} />
      ) : (
        <Figures results={r} labels={labels} />
      )}
    </Space>
  );
}

function Figures({ results: r, labels }: { results: Results; labels: ReadonlyMap<string, string> }) {
  const t = useT(journeyMessages);
  const { lang } = useLocale();
  const treated = r.groups.find((g) => g.group === 'treated');
  const lift = treated?.lift ?? null;
  const sent = r.steps.reduce((sum, s) => sum + s.sent, 0);
  const yen = (v: number) => formatYen(v, lang);
  const intervalText = (lower: string, upper: string) => t('interval', { lower, upper });
  const noLift = r.holdoutPercent > 0 ? t('noLift') : t('noHoldoutSet');
  return (
    <>
      <Row gutter={[16, 16]}>
        <Col xs={12} lg={6}>
          <Card size="small">
            <Statistic title={t('entered')} value={formatNumber(r.entered.customers, lang)} />
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t('enteredRuns', { runs: formatNumber(r.entered.runs, lang) })}
            </Typography.Text>
          </Card>
        </Col>
        <Col xs={12} lg={6}>
          <Card size="small">
            <Statistic title={t('sent')} value={formatNumber(sent, lang)} />
          </Card>
        </Col>
        <Col xs={12} lg={6}>
          <Card size="small">
            <Statistic title={t('clicks')} value={formatNumber(r.clicked, lang)} />
          </Card>
        </Col>
        <Col xs={12} lg={6}>
          <Card size="small">
            <Statistic title={t('conversions')} value={formatNumber(treated?.converted ?? 0, lang)} />
          </Card>
        </Col>
        <Col xs={12} lg={6}>
          <Card size="small">
            <Statistic title={t('revenue')} value={yen(treated?.revenue ?? 0)} />
          </Card>
        </Col>
        <Col xs={12} lg={6}>
          <Card size="small">
            <LiftStatistic
              title={t('liftRate')}
              interval={lift?.conversionRate}
              format={(v) => formatPoints(v, lang)}
              intervalText={intervalText}
              none={noLift}
            />
          </Card>
        </Col>
        <Col xs={12} lg={6}>
          <Card size="small">
            <LiftStatistic
              title={t('liftRevenue')}
              interval={lift?.revenuePerCustomer}
              format={(v) => formatSignedYen(v, lang)}
              intervalText={intervalText}
              none={noLift}
            />
          </Card>
        </Col>
        <Col xs={12} lg={6}>
          <Card size="small">
            <Statistic title={t('cost')} value={yen(r.costYen)} />
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t('costDetail', {
                messages: formatNumber(r.billedMessages, lang),
                yen: yen(r.linePlan.yenPerMessage),
                plan: PLAN_NAMES[lang][r.linePlan.plan] ?? r.linePlan.plan,
              })}
            </Typography.Text>
          </Card>
        </Col>
      </Row>
      <Typography.Text>
        {t('liftPerYen')}:{' '}
        {r.revenueLiftPerYen === null
          ? t('notAvailable')
          : t('yenValue', { value: formatNumber(r.revenueLiftPerYen, lang) })}
      </Typography.Text>
      <Table<Group>
        rowKey="group"
        size="small"
        pagination={false}
        dataSource={r.groups}
        columns={[
          {
            title: t('group'),
            dataIndex: 'group',
            render: (g: Group['group']) => t(g === 'treated' ? 'groupTreated' : 'groupHoldout'),
          },
          {
            title: t('customers'),
            dataIndex: 'customers',
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
            title: t('revenuePerCustomer'),
            dataIndex: 'revenuePerCustomer',
            align: 'right',
            render: (v: number | null) => (v === null ? '—' : yen(v)),
          },
        ]}
      />
      <Typography.Title level={2} style={{ fontSize: 18, margin: 0 }}>
        {t('stepsTable')}
      </Typography.Title>
      <Table<Step>
        rowKey="nodeId"
        size="small"
        pagination={false}
        dataSource={r.steps}
        columns={[
          { title: t('step'), dataIndex: 'nodeId', render: (id: string) => labels.get(id) ?? id },
          {
            title: t('reached'),
            dataIndex: 'reached',
            align: 'right',
            render: (n: number) => formatNumber(n, lang),
          },
          {
            title: t('sent'),
            dataIndex: 'sent',
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
            title: t('skipped'),
            dataIndex: 'skipped',
            render: (skipped: Step['skipped']) =>
              Object.entries(skipped)
                .map(([reason, n]) => `${reasonName(reason, lang)} ${formatNumber(n, lang)}`)
                .join('、') || '—',
          },
          {
            title: t('clicks'),
            dataIndex: 'clicked',
            align: 'right',
            render: (n: number) => formatNumber(n, lang),
          },
          { title: t('cost'), dataIndex: 'costYen', align: 'right', render: yen },
        ]}
      />
    </>
  );
}
