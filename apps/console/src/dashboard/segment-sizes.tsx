import { Card } from 'antd';
import { useMemo } from 'react';
import { Link } from 'react-router';
import { LazyChart as Chart, type ChartOption } from '../app/lazy-chart.tsx';
import { EmptyState } from '../app/states.tsx';
import { formatNumber } from '../i18n/format.ts';
import { useLocale, useT } from '../i18n/locale.tsx';
import type { Segment } from '../segments/queries.ts';
import { dashboardMessages } from './messages.ts';

const SHOWN = 12;

/** The largest segments as bars, largest on top. */
export function SegmentSizes({ segments }: { segments: Segment[] }) {
  const t = useT(dashboardMessages);
  const { lang } = useLocale();
  const top = useMemo(
    () => [...segments].sort((a, b) => b.memberCount - a.memberCount).slice(0, SHOWN),
    [segments],
  );
  const option = useMemo<ChartOption>(
    () => ({
      tooltip: {},
      grid: { left: 250, right: 56, top: 8, bottom: 24 },
      xAxis: { type: 'value' },
      yAxis: {
        type: 'category',
        inverse: true,
        data: top.map((s) => s.name),
        axisLabel: { width: 240, overflow: 'truncate' },
      },
      series: [
        {
          type: 'bar',
          data: top.map((s) => s.memberCount),
          itemStyle: { color: '#b5394c' },
          label: {
            show: true,
            position: 'right',
            formatter: (p: { value: number }) => formatNumber(p.value, lang),
          },
        },
      ],
    }),
    [top, lang],
  );
  return (
    <Card title={t('segmentSizes')} size="small" extra={<Link to="/segments">{t('segments')}</Link>}>
      {top.length === 0 ? (
        <EmptyState title={t('noSegments')} next={t('noSegmentsNext')} />
      ) : (
        <Chart option={option} height={Math.max(160, top.length * 28 + 40)} label={t('segmentsLabel')} />
      )}
    </Card>
  );
}
