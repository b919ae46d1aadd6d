import { Button, Space, Table, Tag, Typography } from 'antd';
import { Link, useNavigate } from 'react-router';
import { EmptyState, ErrorState } from '../app/states.tsx';
import { useSession } from '../auth/session.tsx';
import { formatDate, formatDateTime, formatNumber } from '../i18n/format.ts';
import { useLocale, useT } from '../i18n/locale.tsx';
import { useSegments } from '../segments/queries.ts';
import { audienceLabel, CAMPAIGN_STATUS_COLORS, campaignStatusLabel } from './campaign-labels.ts';
import { campaignMessages } from './messages.ts';
import { type CampaignListItem as Campaign, useCampaigns } from './queries.ts';

export function CampaignListPage() {
  const t = useT(campaignMessages);
  const { lang } = useLocale();
  const { can } = useSession();
  const navigate = useNavigate();
  const campaigns = useCampaigns();
  const segments = useSegments();
  const segmentNames = new Map((segments.data?.items ?? []).map((s) => [s.id, s.name]));
  const items = campaigns.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Space style={{ width: '100%', justifyContent: 'space-between' }} wrap>
        <Typography.Title level={1} style={{ fontSize: 24, margin: 0 }}>
          {t('title')}
        </Typography.Title>
        {can('send') && (
          <Button type="primary" onClick={() => navigate('/campaigns/new')}>
            {t('create')}
          </Button>
        )}
      </Space>
      {campaigns.isError ? (
        <ErrorState error={campaigns.error} retry={() => campaigns.refetch()} />
      ) : (
        <Table<Campaign>
          rowKey="id"
          loading={campaigns.isPending}
          dataSource={items}
          pagination={false}
          scroll={{ x: 900 }}
          footer={() => (
            <Space>
              {t('total', { count: formatNumber(items.length, lang) })}
              {campaigns.hasNextPage && (
                <Button
                  size="small"
                  loading={campaigns.isFetchingNextPage}
                  onClick={() => campaigns.fetchNextPage()}
                >
                  {t('more')}
                </Button>
              )}
            </Space>
          )}
          locale={{
            emptyText: campaigns.isPending ? ' ' : <EmptyState title={t('empty')} next={t('emptyNext')} />,
          }}
          columns={[
            {
              title: t('name'),
              dataIndex: 'name',
              render: (name: string, c) => <Link to={`/campaigns/${c.id}`}>{name}</Link>,
            },
            {
              title: t('status'),
              dataIndex: 'status',
              width: 120,
              render: (status: Campaign['status']) => (
                <Tag color={CAMPAIGN_STATUS_COLORS[status]}>{campaignStatusLabel(status, t)}</Tag>
              ),
            },
            { title: t('audience'), key: 'audience', render: (_, c) => audienceLabel(c, segmentNames, t) },
            {
              title: t('holdout'),
              dataIndex: 'holdoutPercent',
              width: 110,
              align: 'right',
              render: (p: number) => `${formatNumber(p, lang)}%`,
            },
            {
              title: t('when'),
              key: 'when',
              width: 190,
              render: (_, c) => {
                const at = c.sentAt ?? c.scheduledAt;
                return at ? formatDateTime(at, lang) : '—';
              },
            },
            {
              title: t('createdAt'),
              dataIndex: 'createdAt',
              width: 160,
              render: (at: string) => formatDate(at, lang),
            },
          ]}
        />
      )}
    </Space>
  );
}
