// A saved segment's size at the end of each JST day (GET /v1/segments/:id/sizes), since it was made.
import { Card, Typography } from 'antd';
import { useMemo } from 'react';
import { type ChartOption, LazyChart } from '../app/lazy-chart.tsx';
import { ErrorState, Loading } from '../app/states.tsx';
import { formatDate, formatNumber } from '../i18n/format.ts';
import { useLocale, useT } from '../i18n/locale.tsx';
import { segmentMessages } from './messages.ts';
import { useSegmentSizes } from './queries.ts';

export function SizeHistory({ id }: { id: number }) {
  const t = useT(segmentMessages);
  const { lang } = useLocale();
  const sizes = useSegmentSizes(id);
  const items = sizes.data?.items ?? [];
  const option = useMemo<ChartOption>(
    () => ({
      tooltip: { trigger: 'axis' },
      grid: { left: 56, right: 16, top: 16, bottom: 32 },
      xAxis: { type: 'category', data: items.map((d) => formatDate(`${d.day}T12:00:00+09:00`, lang)) },
      yAxis: { type: 'value', minInterval: 1 },
      series: [
        { type: 'line', step: 'end', data: items.map((d) => d.members), itemStyle: { color: '#b5394c' } },
      ],
    }),
    [items, lang],
  );
  return (
    <Card title={t('history')} size="small">
      {sizes.isPending ? (
        <Loading />
      ) : sizes.isError ? (
        <ErrorState error={sizes.error} retry={() => sizes.refetch()} />
      ) : items.length < 2 ? (
        <Typography.Paragraph className="kz-next">
          {t('historyShort', { count: formatNumber(items.at(-1)?.members ?? 0, lang) })}
        </Typography.Paragraph>
      ) : (
        <LazyChart option={option} height={200} label={t('history')} />
      )}
    </Card>
  );
}
