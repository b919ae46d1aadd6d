import { Card, Typography } from 'antd';
import { useMemo } from 'react';
import { LazyChart as Chart, type ChartOption } from '../app/lazy-chart.tsx';
import { formatDate, formatMonth, formatNumber } from '../i18n/format.ts';
import { useLocale, useT } from '../i18n/locale.tsx';
import { dashboardMessages } from './messages.ts';
import type { useRetention, useRfm } from './queries.ts';

type Retention = NonNullable<ReturnType<typeof useRetention>['data']>;
type Rfm = NonNullable<ReturnType<typeof useRfm>['data']>;

/** The last 12 cohorts: older ones crowd the chart and an owner asks about the recent ones. */
const COHORTS_SHOWN = 12;
const MONTHS_SHOWN = 12;

function AsOf({ at }: { at: string }) {
  const t = useT(dashboardMessages);
  const { lang } = useLocale();
  return <Typography.Text type="secondary">{t('computedAt', { at: formatDate(at, lang) })}</Typography.Text>;
}

export function RetentionHeatmap({ retention }: { retention: Retention }) {
  const t = useT(dashboardMessages);
  const { lang } = useLocale();
  const option = useMemo<ChartOption>(() => {
    const cohorts = retention.cohorts.slice(-COHORTS_SHOWN);
    const months = Array.from({ length: MONTHS_SHOWN }, (_, i) => t('monthsLater', { n: i + 1 }));
    const data = cohorts.flatMap((cohort, y) =>
      cohort.retention
        .slice(1, MONTHS_SHOWN + 1)
        .map((share, x) => [x, y, Math.round(share * 1000) / 10] as [number, number, number]),
    );
    return {
      tooltip: { formatter: (p: { value: [number, number, number] }) => `${p.value[2]}%` },
      grid: { left: 90, right: 16, top: 8, bottom: 64 },
      xAxis: { type: 'category', data: months, splitArea: { show: true } },
      yAxis: { type: 'category', data: cohorts.map((c) => formatMonth(c.cohort, lang)), inverse: true },
      visualMap: {
        min: 0,
        max: Math.max(10, ...data.map((d) => d[2])),
        calculable: false,
        orient: 'horizontal',
        left: 'center',
        bottom: 0,
        inRange: { color: ['#fdf2f4', '#b5394c'] },
        formatter: (v: number) => `${Math.round(v)}%`,
      },
      series: [
        {
          type: 'heatmap',
          data,
          label: { show: true, formatter: (p: { value: number[] }) => `${p.value[2]}` },
        },
      ],
    };
  }, [retention, lang, t]);
  return (
    <Card title={t('retention')} size="small" extra={<AsOf at={retention.computedAt} />}>
      <Chart option={option} height={360} label={t('retentionLabel')} />
    </Card>
  );
}

export function RfmGrid({ rfm }: { rfm: Rfm }) {
  const t = useT(dashboardMessages);
  const { lang } = useLocale();
  const option = useMemo<ChartOption>(() => {
    const scores = ['1', '2', '3', '4', '5'];
    const data = rfm.cells.map((c) => [c.r - 1, c.f - 1, c.customers] as [number, number, number]);
    return {
      tooltip: {
        formatter: (p: { value: [number, number, number] }) =>
          `R${p.value[0] + 1} × F${p.value[1] + 1}: ${t('customersUnit', { count: formatNumber(p.value[2], lang) })}`,
      },
      grid: { left: 64, right: 16, top: 8, bottom: 48 },
      xAxis: { type: 'category', data: scores, name: t('recency'), nameLocation: 'middle', nameGap: 28 },
      yAxis: { type: 'category', data: scores, name: t('frequency'), nameLocation: 'middle', nameGap: 40 },
      visualMap: {
        min: 0,
        max: Math.max(1, ...data.map((d) => d[2])),
        show: false,
        inRange: { color: ['#f0f5ff', '#1d39c4'] },
      },
      series: [{ type: 'heatmap', data, label: { show: true } }],
    };
  }, [rfm, lang, t]);
  return (
    <Card title={t('rfm')} size="small" extra={<AsOf at={rfm.computedAt} />}>
      <Chart option={option} height={360} label={t('rfmLabel')} />
    </Card>
  );
}
