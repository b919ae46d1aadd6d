// 「メールテンプレート」: the workspace's email templates (read only: they are made through the
// API) and a preview of one, its compiled HTML in a sandboxed frame (no script, no form, no
// navigation of the console) or its text part.
import { Button, Card, Space, Table, Tabs, Tag, Typography } from 'antd';
import { useState } from 'react';
import { EmptyState, ErrorState, Loading } from '../app/states.tsx';
import { TAG_COLORS } from '../app/tag-colors.ts';
import { formatDate } from '../i18n/format.ts';
import { useLocale, useT } from '../i18n/locale.tsx';
import { CardTitle } from '../team/card-title.tsx';
import { PageTheme } from '../team/page-theme.tsx';
import { templateMessages } from './messages.ts';
import { useTemplate, useTemplates } from './queries.ts';

type Summary = NonNullable<ReturnType<typeof useTemplates>['data']>[number];

function TemplatePreview({ summary }: { summary: Summary }) {
  const t = useT(templateMessages);
  const template = useTemplate(summary.id);
  const title = t('previewOf', { name: summary.name });
  return (
    <Card title={<CardTitle>{title}</CardTitle>}>
      <Typography.Paragraph type="secondary">{t('previewHint')}</Typography.Paragraph>
      {template.isPending ? (
        <Loading />
      ) : template.isError ? (
        <ErrorState error={template.error} retry={() => template.refetch()} />
      ) : (
        <>
          <Typography.Paragraph>
            <strong>{t('subject')}：</strong>
            {template.data.subject}
          </Typography.Paragraph>
          <Tabs
            items={[
              {
                key: 'html',
                label: t('htmlTab'),
                children: (
                  <iframe
                    title={title}
                    sandbox=""
                    srcDoc={template.data.html}
                    style={{ width: '100%', height: 560, border: '1px solid #d9d9d9', borderRadius: 6 }}
                  />
                ),
              },
              {
                key: 'text',
                label: t('textTab'),
                children: (
                  <pre style={{ whiteSpace: 'pre-wrap', fontFamily: 'inherit', margin: 0 }}>
                    {template.data.text}
                  </pre>
                ),
              },
            ]}
          />
        </>
      )}
    </Card>
  );
}

function TemplateListContent() {
  const t = useT(templateMessages);
  const { lang } = useLocale();
  const templates = useTemplates();
  const [chosen, setChosen] = useState<Summary>();
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
      {templates.isPending ? (
        <Loading />
      ) : templates.isError ? (
        <ErrorState error={templates.error} retry={() => templates.refetch()} />
      ) : templates.data.length === 0 ? (
        <Card>
          <EmptyState title={t('empty')} next={t('emptyNext')} />
        </Card>
      ) : (
        <>
          <Card>
            <Table<Summary>
              rowKey="id"
              dataSource={templates.data}
              pagination={false}
              columns={[
                { key: 'name', title: t('name'), dataIndex: 'name' },
                { key: 'subject', title: t('subject'), dataIndex: 'subject' },
                {
                  key: 'kind',
                  title: t('kind'),
                  render: (_, row) => (
                    <Tag color={row.kind === 'marketing' ? TAG_COLORS.magenta : TAG_COLORS.green}>
                      {t(row.kind)}
                    </Tag>
                  ),
                },
                {
                  key: 'updatedAt',
                  title: t('updatedAt'),
                  render: (_, row) => formatDate(row.updatedAt, lang),
                },
                {
                  key: 'preview',
                  title: t('preview'),
                  render: (_, row) => (
                    <Button
                      size="small"
                      type={chosen?.id === row.id ? 'primary' : 'default'}
                      aria-label={`${t('preview')}: ${row.name}`}
                      onClick={() => setChosen(row)}
                    >
                      {t('preview')}
                    </Button>
                  ),
                },
              ]}
            />
          </Card>
          {chosen ? (
            <TemplatePreview key={chosen.id} summary={chosen} />
          ) : (
            <Typography.Paragraph type="secondary">{t('pick')}</Typography.Paragraph>
          )}
        </>
      )}
    </Space>
  );
}

export function TemplateListPage() {
  return (
    <PageTheme>
      <TemplateListContent />
    </PageTheme>
  );
}
