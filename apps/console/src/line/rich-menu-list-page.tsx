import { App as AntApp, Button, Card, Space, Table, Tag, Typography } from 'antd';
import { Link, useNavigate } from 'react-router';
import { EmptyState, ErrorState } from '../app/states.tsx';
import { useSession } from '../auth/session.tsx';
import { formatNumber } from '../i18n/format.ts';
import { useLocale, useT } from '../i18n/locale.tsx';
import { PageTheme } from '../team/page-theme.tsx';
import { richMenuMessages } from './messages.ts';
import { useChannels, useMakeDefault, useRichMenus, useSegmentChoices } from './queries.ts';

function RichMenuListPageContent() {
  const t = useT(richMenuMessages);
  const { lang } = useLocale();
  const { can } = useSession();
  const { message } = AntApp.useApp();
  const navigate = useNavigate();
  const menus = useRichMenus();
  const channels = useChannels();
  const segments = useSegmentChoices();
  const makeDefault = useMakeDefault();
  const channelName = (id: string) => {
    const c = channels.data?.find((ch) => ch.id === id);
    return c ? c.name || c.lineChannelId : '—';
  };
  const segmentName = (id: number | null) =>
    id === null ? t('noSegment') : (segments.data?.find((s) => s.id === id)?.name ?? `#${id}`);
  const noChannel = channels.data?.length === 0;
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Space style={{ justifyContent: 'space-between', width: '100%' }} wrap>
        <div>
          <Typography.Title level={1} style={{ fontSize: 24, margin: 0 }}>
            {t('title')}
          </Typography.Title>
          <Typography.Paragraph type="secondary" style={{ margin: '8px 0 0' }}>
            {t('intro')}
          </Typography.Paragraph>
        </div>
        {can('admin') && !noChannel && (
          <Button type="primary" onClick={() => navigate('/line/rich-menus/new')}>
            {t('create')}
          </Button>
        )}
      </Space>
      {menus.isError ? (
        <ErrorState error={menus.error} retry={() => menus.refetch()} />
      ) : (
        <Card>
          <Table
            rowKey="id"
            loading={menus.isPending}
            dataSource={menus.data ?? []}
            pagination={false}
            locale={{
              emptyText: menus.isPending ? (
                ' '
              ) : noChannel ? (
                <EmptyState title={t('noChannel')} next={<Link to="/line">{t('noChannelNext')}</Link>} />
              ) : (
                <EmptyState title={t('empty')} next={t('emptyNext')} />
              ),
            }}
            columns={[
              {
                title: t('name'),
                dataIndex: 'name',
                render: (name: string, m) => (
                  <>
                    {name}{' '}
                    {m.isDefault && (
                      <Tag color="green" style={{ color: '#135200' }}>
                        {t('isDefault')}
                      </Tag>
                    )}
                    <span className="kz-kana">
                      {t('chatBarText')}：{String(m.definition.chatBarText ?? '')}
                    </span>
                  </>
                ),
              },
              { title: t('channel'), dataIndex: 'channelId', render: channelName },
              {
                title: t('areas'),
                key: 'areas',
                align: 'right',
                render: (_, m) => (Array.isArray(m.definition.areas) ? m.definition.areas.length : 0),
              },
              {
                title: t('image'),
                dataIndex: 'imageUploaded',
                render: (up: boolean) =>
                  up ? (
                    t('imageUploaded')
                  ) : (
                    <Tag color="orange" style={{ color: '#873800' }}>
                      {t('imageMissing')}
                    </Tag>
                  ),
              },
              { title: t('segment'), dataIndex: 'segmentId', render: segmentName },
              { title: t('priority'), dataIndex: 'priority', align: 'right' },
              {
                title: t('sync'),
                key: 'sync',
                render: (_, m) =>
                  m.segmentId === null
                    ? '—'
                    : t('syncCounts', {
                        linked: formatNumber(m.sync.linked, lang),
                        pending: formatNumber(m.sync.pending, lang),
                        failed: formatNumber(m.sync.failed, lang),
                      }),
              },
              {
                title: '',
                key: 'default',
                render: (_, m) =>
                  can('admin') && !m.isDefault && m.imageUploaded ? (
                    <Button
                      onClick={() =>
                        makeDefault.mutateAsync(m.id).then(
                          () => message.success(t('madeDefault', { name: m.name })),
                          (error: Error) => message.error(t('actionFailed', { reason: error.message })),
                        )
                      }
                    >
                      {t('makeDefault')}
                    </Button>
                  ) : null,
              },
            ]}
          />
        </Card>
      )}
    </Space>
  );
}

export function RichMenuListPage() {
  return (
    <PageTheme>
      <RichMenuListPageContent />
    </PageTheme>
  );
}
