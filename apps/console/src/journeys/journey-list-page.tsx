import { Button, Space, Table, Tag, Typography } from 'antd';
import { Link } from 'react-router';
import { EmptyState, ErrorState } from '../app/states.tsx';
import { useSession } from '../auth/session.tsx';
import { formatDateTime, formatNumber } from '../i18n/format.ts';
import { useLocale, useT } from '../i18n/locale.tsx';
import { CreateEmptyJourneyButton } from './create-empty-journey.tsx';
import { CreateJourneyButton } from './create-journey.tsx';
import { asDefinition } from './definition-view.ts';
import { JourneyActions } from './journey-actions.tsx';
import { STATUS_COLORS, statusLabel, triggerLabel } from './journey-labels.ts';
import { journeyMessages } from './messages.ts';
import { type Journey, useJourneys } from './queries.ts';

export function JourneyListPage() {
  const t = useT(journeyMessages);
  const { lang } = useLocale();
  const { can } = useSession();
  const journeys = useJourneys();
  const items = journeys.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Space style={{ width: '100%', justifyContent: 'space-between' }} wrap>
        <Typography.Title level={1} style={{ fontSize: 24, margin: 0 }}>
          {t('title')}
        </Typography.Title>
        {can('send') && (
          <Space>
            <CreateEmptyJourneyButton />
            <CreateJourneyButton />
          </Space>
        )}
      </Space>
      {journeys.isError ? (
        <ErrorState error={journeys.error} retry={() => journeys.refetch()} />
      ) : (
        <Table<Journey>
          rowKey="id"
          loading={journeys.isPending}
          dataSource={items}
          pagination={false}
          scroll={{ x: 900 }}
          footer={() => (
            <Space>
              {t('total', { count: formatNumber(items.length, lang) })}
              {journeys.hasNextPage && (
                <Button
                  size="small"
                  loading={journeys.isFetchingNextPage}
                  onClick={() => journeys.fetchNextPage()}
                >
                  {t('more')}
                </Button>
              )}
            </Space>
          )}
          locale={{
            emptyText: journeys.isPending ? ' ' : <EmptyState title={t('empty')} next={t('emptyNext')} />,
          }}
          columns={[
            {
              title: t('name'),
              dataIndex: 'name',
              render: (name: string, j) => <Link to={`/journeys/${j.id}`}>{name}</Link>,
            },
            {
              title: t('status'),
              dataIndex: 'status',
              width: 130,
              render: (status: Journey['status']) => (
                <Tag color={STATUS_COLORS[status]}>{statusLabel(status, t)}</Tag>
              ),
            },
            {
              title: t('trigger'),
              key: 'trigger',
              render: (_, j) => {
                const definition = asDefinition(j.definition);
                return definition ? triggerLabel(definition.trigger, t, lang) : '—';
              },
            },
            {
              title: t('version'),
              key: 'version',
              width: 180,
              render: (_, j) =>
                j.liveVersion === null
                  ? t('versionDraft', { latest: j.latestVersion })
                  : t('versionValue', { live: j.liveVersion, latest: j.latestVersion }),
            },
            {
              title: t('updatedAt'),
              dataIndex: 'updatedAt',
              width: 190,
              render: (at: string) => formatDateTime(at, lang),
            },
            {
              title: t('actions'),
              key: 'actions',
              width: 220,
              render: (_, j) => <JourneyActions journey={j} size="small" />,
            },
          ]}
        />
      )}
    </Space>
  );
}
