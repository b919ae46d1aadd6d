import { lazy, Suspense } from 'react';
import type { ChartOption } from './chart.tsx';

// ECharts is the largest library the console loads: fetched only when a chart is first drawn,
// so the figures above the charts show without waiting for it.
const Chart = lazy(() => import('./chart.tsx').then((m) => ({ default: m.Chart })));

export type { ChartOption };

/** A chart, with a blank box of its height while ECharts loads (no layout jump). */
export function LazyChart(props: { option: ChartOption; height: number; label: string }) {
  return (
    <Suspense fallback={<div style={{ height: props.height }} />}>
      <Chart {...props} />
    </Suspense>
  );
}
