// A lift figure with its 95% interval, shared by the journey and campaign results: a rate
// difference in percentage points, a revenue difference in yen.
import { Statistic, Typography } from 'antd';
import { formatYen } from '../i18n/format.ts';
import type { Lang } from '../i18n/messages.ts';

export interface Interval {
  estimate: number;
  lower: number;
  upper: number;
}

/** +3.2pt / −1.0pt: a difference of two rates, in percentage points. */
export function formatPoints(difference: number, lang: Lang): string {
  const points = new Intl.NumberFormat(lang === 'ja' ? 'ja-JP' : 'en-US', {
    maximumFractionDigits: 1,
    minimumFractionDigits: 1,
    signDisplay: 'always',
  }).format(difference * 100);
  return `${points}pt`;
}

export function formatSignedYen(value: number, lang: Lang): string {
  return `${value > 0 ? '+' : value < 0 ? '−' : ''}${formatYen(Math.abs(value), lang)}`;
}

export function LiftStatistic({
  title,
  interval,
  format,
  intervalText,
  none,
}: {
  title: string;
  interval: Interval | null | undefined;
  format: (value: number) => string;
  intervalText: (lower: string, upper: string) => string;
  none: string;
}) {
  return (
    <div>
      <Statistic
        title={title}
        value={interval ? format(interval.estimate) : '—'}
        valueStyle={{
          color: interval
            ? interval.lower > 0
              ? '#237804'
              : interval.upper < 0
                ? '#a8071a'
                : undefined
            : undefined,
        }}
      />
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {interval ? intervalText(format(interval.lower), format(interval.upper)) : none}
      </Typography.Text>
    </div>
  );
}
