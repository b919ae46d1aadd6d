import { Button, Space, Table, Tag, Typography } from 'antd';
import { Link } from 'react-router';
import { EmptyState, ErrorState } from '../app/states.tsx';
import { useSession } from '../auth/session.tsx';
import { formatDateTime, formatNumber } from '../i18n/format.ts';
import { useLocale, useT } from '../i18n/locale.tsx';
import { segmentMessages } from './messages.ts';
import { useSegments } from './queries.ts';

export function SegmentListPage() {
  const t = useT(segmentMessages);
  const { lang } = useLocale();
  const segments = useSegments();
  const { can } = useSession();
  const items = segments.data?.items ?? [];
  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Space style={{ width: '100%', justifyContent: 'space-between' }} wrap>
        <Typography.Title level={1} style={{ fontSize: 24, margin: 0 }}>
          {t('title')}
        </Typography.Title>
        {can('send') && (
          <Link to="/segments/new">
            <Button type="primary" tabIndex={-1}>
              {t('create')}
            </Button>
          </Link>
        )}
      </Space>
      {segments.isError ? (
        <ErrorState error={segments.error} retry={() => segments.refetch()} />
      ) : (
        <Table
          rowKey="id"
          loading={segments.isPending}
          dataSource={items}
          pagination={false}
          footer={() => t('total', { count: formatNumber(items.length, lang) })}
          locale={{
            emptyText: segments.isPending ? ' ' : <EmptyState title={t('empty')} next={t('emptyNext')} />,
          }}
          columns={[
            {
              title: t('name'),
              dataIndex: 'name',
              render: (name: string, s) => (
                <>
                  <Link to={`/segments/${s.id}`}>{name}</Link> {s.timeBased && <Tag>{t('timeBased')}</Tag>}
                  {s.description && (
                    <Typography.Text type="secondary" style={{ display: 'block' }}>
                      {s.description}
                    </Typography.Text>
                  )}
                </>
              ),
            },
            {
              title: t('members'),
              dataIndex: 'memberCount',
              align: 'right',
              sorter: (a, b) => a.memberCount - b.memberCount,
              defaultSortOrder: 'descend',
              render: (n: number) => formatNumber(n, lang),
            },
            {
              title: t('evaluatedAt'),
              dataIndex: 'evaluatedAt',
              render: (at: string | null) => (at ? formatDateTime(at, lang) : t('notEvaluated')),
            },
          ]}
        />
      )}
    </Space>
  );
}
