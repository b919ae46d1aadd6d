import { useQueryClient } from '@tanstack/react-query';
import { App as AntApp, Button, Col, Row, Space, Typography } from 'antd';
import { useState } from 'react';
import { api, unwrap } from '../api/client.ts';
import { EmptyState, ErrorState, Loading } from '../app/states.tsx';
import { useSession, useWorkspaceId } from '../auth/session.tsx';
import { useT } from '../i18n/locale.tsx';
import { useSegments } from '../segments/queries.ts';
import { RetentionHeatmap, RfmGrid } from './charts.tsx';
import { ForecastCard, Headline } from './headline.tsx';
import { dashboardMessages } from './messages.ts';
import { useForecast, useOverview, useRetention, useRfm } from './queries.ts';
import { SegmentSizes } from './segment-sizes.tsx';

/** A query's loading and error states, else its content. */
function Section<T>({
  query,
  children,
}: {
  query: { data?: T; error: unknown; isPending: boolean; refetch(): unknown };
  children(data: T): React.ReactNode;
}) {
  if (query.isPending) return <Loading />;
  if (query.data === undefined) return <ErrorState error={query.error} retry={() => query.refetch()} />;
  return <>{children(query.data)}</>;
}

/** Admins can rebuild the figures now instead of waiting for the nightly job. */
function RefreshButton() {
  const t = useT(dashboardMessages);
  const { can } = useSession();
  const ws = useWorkspaceId();
  const queryClient = useQueryClient();
  const { message } = AntApp.useApp();
  const [busy, setBusy] = useState(false);
  if (!can('admin')) return null;
  const refresh = async () => {
    setBusy(true);
    try {
      unwrap(await api.POST('/v1/analytics/refresh'));
      await queryClient.invalidateQueries({ queryKey: ['ws', ws] });
      message.success(t('refreshed'));
    } catch (error) {
      message.error(t('refreshFailed', { reason: (error as Error).message }));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Button onClick={refresh} loading={busy}>
      {t('refresh')}
    </Button>
  );
}

export function DashboardPage() {
  const t = useT(dashboardMessages);
  const overview = useOverview();
  const forecast = useForecast();
  const retention = useRetention();
  const rfm = useRfm();
  const segments = useSegments();
  const noCustomers = overview.data?.customers === 0;
  const noOrders = overview.data?.buyers === 0;
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Row justify="space-between" align="middle">
        <Typography.Title level={1} style={{ fontSize: 24, margin: 0 }}>
          {t('title')}
        </Typography.Title>
        <RefreshButton />
      </Row>
      <Section query={overview}>
        {(data) =>
          noCustomers ? <EmptyState title={t('empty')} next={t('emptyNext')} /> : <Headline overview={data} />
        }
      </Section>
      {!noCustomers && (
        <>
          <Section query={forecast}>{(data) => <ForecastCard forecast={data} />}</Section>
          {noOrders ? (
            <Typography.Paragraph>{t('noOrders')}</Typography.Paragraph>
          ) : (
            <Row gutter={[16, 16]}>
              <Col xs={24} xl={14}>
                <Section query={retention}>{(data) => <RetentionHeatmap retention={data} />}</Section>
              </Col>
              <Col xs={24} xl={10}>
                <Section query={rfm}>{(data) => <RfmGrid rfm={data} />}</Section>
              </Col>
            </Row>
          )}
          <Section query={segments}>{(data) => <SegmentSizes segments={data.items} />}</Section>
        </>
      )}
    </Space>
  );
}
