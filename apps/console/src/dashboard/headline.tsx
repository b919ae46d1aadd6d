import { Card, Col, Row, Statistic, Typography } from 'antd';
import type { ReactNode } from 'react';
import { formatDateTime, formatNumber, formatPercent, formatYen } from '../i18n/format.ts';
import { useLocale, useT } from '../i18n/locale.tsx';
import { dashboardMessages } from './messages.ts';
import type { useForecast, useOverview } from './queries.ts';

type Overview = NonNullable<ReturnType<typeof useOverview>['data']>;
type Forecast = NonNullable<ReturnType<typeof useForecast>['data']>;

function Figure({ title, value, note }: { title: string; value: string; note?: ReactNode }) {
  return (
    <Card size="small" style={{ height: '100%' }}>
      <Statistic title={title} value={value} />
      {note && <Typography.Text type="secondary">{note}</Typography.Text>}
    </Card>
  );
}

/** The owner's first questions: how many customers, friends, repeaters, and what they are worth. */
export function Headline({ overview }: { overview: Overview }) {
  const t = useT(dashboardMessages);
  const { lang } = useLocale();
  const dash = '—';
  return (
    <Row gutter={[16, 16]}>
      <Col xs={24} sm={12} xl={6}>
        <Figure
          title={t('customers')}
          value={formatNumber(overview.customers, lang)}
          note={t('buyers', { count: formatNumber(overview.buyers, lang) })}
        />
      </Col>
      <Col xs={24} sm={12} xl={6}>
        <Figure
          title={t('lineFriends')}
          value={formatNumber(overview.lineFriends, lang)}
          note={
            overview.lineFriends + overview.lineBlocked === 0
              ? t('lineNone')
              : t('lineBlocked', { count: formatNumber(overview.lineBlocked, lang) })
          }
        />
      </Col>
      <Col xs={24} sm={12} xl={4}>
        <Figure
          title={t('repeatRate')}
          value={overview.repeatRate === null ? dash : formatPercent(overview.repeatRate, lang)}
          note={t('repeatDetail', { count: formatNumber(overview.repeatBuyers, lang) })}
        />
      </Col>
      <Col xs={24} sm={12} xl={4}>
        <Figure
          title={t('historicalLtv')}
          value={overview.historicalLtv === null ? dash : formatYen(overview.historicalLtv, lang)}
          note={t('historicalLtvDetail')}
        />
      </Col>
      <Col xs={24} sm={12} xl={4}>
        <Figure
          title={t('predictedClv')}
          value={overview.predictedClv === null ? dash : formatYen(overview.predictedClv, lang)}
          note={overview.predictedClv === null ? t('predictedClvNone') : undefined}
        />
      </Col>
      {overview.freshness === 'hourly' && (
        <Col span={24}>
          {/* A large shop's figures come from the hourly refresh, not from counting every row now. */}
          <Typography.Text type="secondary">
            {t('overviewHourly', { at: formatDateTime(overview.computedAt, lang) })}
          </Typography.Text>
        </Col>
      )}
    </Row>
  );
}

/** Revenue expected from current buyers over 30, 90 and 365 days, and the model that said so. */
export function ForecastCard({ forecast }: { forecast: Forecast }) {
  const t = useT(dashboardMessages);
  const { lang } = useLocale();
  const figures = forecast.forecast;
  return (
    <Card title={t('forecast')} size="small">
      {figures ? (
        <Row gutter={16}>
          {(['days30', 'days90', 'days365'] as const).map((key) => (
            <Col span={8} key={key}>
              <Statistic title={t(key)} value={formatYen(figures[key], lang)} />
            </Col>
          ))}
        </Row>
      ) : (
        <Typography.Paragraph>{t('forecastNone')}</Typography.Paragraph>
      )}
      {forecast.model && (
        <Typography.Text type="secondary">
          {forecast.model.fallbackReason
            ? t('forecastFallback', { reason: forecast.model.fallbackReason })
            : t('forecastModel', { model: forecast.model.model })}
        </Typography.Text>
      )}
    </Card>
  );
}
