import { App as AntApp, Button, Card, Popconfirm, Space, Table, Tag, Typography } from 'antd';
import { EmptyState, ErrorState } from '../app/states.tsx';
import { formatDateTime } from '../i18n/format.ts';
import { useLocale, useT } from '../i18n/locale.tsx';
import { sessionMessages } from './messages.ts';
import { PageTheme } from './page-theme.tsx';
import { useEndSession, useMySessions } from './queries.ts';

/** "Chrome 131 / macOS" from a user agent, enough to recognise a device; the full string is the title. */
export function describeUserAgent(ua: string): string {
  const browser =
    /Edg\/(\d+)/.exec(ua)?.[0]?.replace('Edg/', 'Edge ') ??
    /(?:Chrome|Chromium)\/(\d+)/.exec(ua)?.[0]?.replace('/', ' ') ??
    /Firefox\/(\d+)/.exec(ua)?.[0]?.replace('/', ' ') ??
    (/Version\/(\d+).*Safari/.exec(ua) ? `Safari ${/Version\/(\d+)/.exec(ua)?.[1]}` : undefined);
  const os = /iPhone|iPad/.test(ua)
    ? 'iOS'
    : /Android/.test(ua)
      ? 'Android'
      : /Mac OS X/.test(ua)
        ? 'macOS'
        : /Windows/.test(ua)
          ? 'Windows'
          : /Linux/.test(ua)
            ? 'Linux'
            : undefined;
  return [browser, os].filter(Boolean).join(' / ') || ua.slice(0, 60);
}

function SessionsPageContent() {
  const t = useT(sessionMessages);
  const { lang } = useLocale();
  const { message } = AntApp.useApp();
  const sessions = useMySessions();
  const end = useEndSession();
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <div>
        <Typography.Title level={1} style={{ fontSize: 24, margin: 0 }}>
          {t('title')}
        </Typography.Title>
        <Typography.Paragraph type="secondary" style={{ margin: '8px 0 0' }}>
          {t('intro')}
        </Typography.Paragraph>
      </div>
      {sessions.isError ? (
        <ErrorState error={sessions.error} retry={() => sessions.refetch()} />
      ) : (
        <Card>
          <Table
            rowKey="id"
            loading={sessions.isPending}
            dataSource={sessions.data ?? []}
            pagination={false}
            locale={{
              emptyText: sessions.isPending ? ' ' : <EmptyState title={t('empty')} next={t('emptyNext')} />,
            }}
            columns={[
              {
                title: t('device'),
                dataIndex: 'userAgent',
                render: (ua: string | null, s) => (
                  <span title={ua ?? undefined}>
                    {ua ? describeUserAgent(ua) : t('unknownDevice')}{' '}
                    {s.current && <Tag color="blue">{t('current')}</Tag>}
                  </span>
                ),
              },
              { title: t('ip'), dataIndex: 'clientIp', render: (ip: string | null) => ip ?? '—' },
              {
                title: t('createdAt'),
                dataIndex: 'createdAt',
                render: (at: string) => formatDateTime(at, lang),
              },
              {
                title: t('lastSeenAt'),
                dataIndex: 'lastSeenAt',
                render: (at: string) => formatDateTime(at, lang),
              },
              {
                title: t('expiresAt'),
                dataIndex: 'expiresAt',
                render: (at: string) => formatDateTime(at, lang),
              },
              {
                title: '',
                key: 'end',
                render: (_, s) =>
                  s.current ? null : (
                    <Popconfirm
                      title={t('endConfirm')}
                      okText={t('end')}
                      okButtonProps={{ danger: true }}
                      cancelText={t('cancel')}
                      onConfirm={() =>
                        end.mutateAsync(s.id).then(
                          () => message.success(t('ended')),
                          (error: Error) => message.error(t('endFailed', { reason: error.message })),
                        )
                      }
                    >
                      <Button danger>{t('end')}</Button>
                    </Popconfirm>
                  ),
              },
            ]}
          />
        </Card>
      )}
    </Space>
  );
}

export function SessionsPage() {
  return (
    <PageTheme>
      <SessionsPageContent />
    </PageTheme>
  );
}
