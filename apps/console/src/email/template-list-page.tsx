// 「メールテンプレート」: the workspace's email templates (read only: they are made through the
// API) and a preview of one: as written, or rendered for a customer picked by search (the API's
// preview route), its HTML in a sandboxed frame or its text part.
import { Button, Card, Form, Select, Space, Table, Tabs, Tag, Typography } from 'antd';
import { useState } from 'react';
import { EmptyState, ErrorState, Loading } from '../app/states.tsx';
import { TAG_COLORS } from '../app/tag-colors.ts';
import { fullName } from '../customers/names.ts';
import { formatDate } from '../i18n/format.ts';
import { useLocale, useT } from '../i18n/locale.tsx';
// The customer picker's search, as the journey preview has it.
import { useCustomerSearch } from '../journeys/queries.ts';
import { CardTitle } from '../team/card-title.tsx';
import { PageTheme } from '../team/page-theme.tsx';
import { templateMessages } from './messages.ts';
import { useTemplate, useTemplatePreview, useTemplates } from './queries.ts';

type Summary = NonNullable<ReturnType<typeof useTemplates>['data']>[number];

/** What the preview shows: the template as written, or as one customer would get it. */
interface Shown {
  to?: string | null;
  subject: string;
  html: string;
  text: string;
}

/**
 * The mail's HTML without its remote stylesheets (MJML links Google Fonts' Ubuntu): the console's
 * CSP, which a srcdoc frame inherits, refuses them anyway, and each refusal is a console error.
 * The text falls back to the font stack the template names, as in most Japanese mail apps.
 */
export function withoutRemoteStyles(html: string): string {
  return html
    .replace(/<link\b[^>]*>/gi, (tag) =>
      /\bstylesheet\b/i.test(tag) && /\bhref=["']?https?:/i.test(tag) ? '' : tag,
    )
    .replace(/@import\s+url\(\s*["']?https?:[^)]*\)\s*;?/gi, '');
}

function MailView({ shown, title }: { shown: Shown; title: string }) {
  const t = useT(templateMessages);
  return (
    <>
      {shown.to !== undefined && (
        <Typography.Paragraph style={{ marginBottom: 4 }}>
          <strong>{t('to')}：</strong>
          {shown.to ?? <Typography.Text type="secondary">{t('noAddress')}</Typography.Text>}
        </Typography.Paragraph>
      )}
      <Typography.Paragraph>
        <strong>{t('subject')}：</strong>
        {shown.subject}
      </Typography.Paragraph>
      <Tabs
        items={[
          {
            key: 'html',
            label: t('htmlTab'),
            children: (
              // sandbox="": no script, no form, no navigation of the console from the mail's HTML.
              <iframe
                title={title}
                sandbox=""
                srcDoc={withoutRemoteStyles(shown.html)}
                style={{ width: '100%', height: 560, border: '1px solid #d9d9d9', borderRadius: 6 }}
              />
            ),
          },
          {
            key: 'text',
            label: t('textTab'),
            children: (
              <pre style={{ whiteSpace: 'pre-wrap', fontFamily: 'inherit', margin: 0 }}>{shown.text}</pre>
            ),
          },
        ]}
      />
    </>
  );
}

function TemplatePreview({ summary }: { summary: Summary }) {
  const t = useT(templateMessages);
  const [search, setSearch] = useState('');
  const [customerId, setCustomerId] = useState<number>();
  const template = useTemplate(summary.id);
  const rendered = useTemplatePreview(summary.id, customerId);
  const customers = useCustomerSearch(search);
  const title = t('previewOf', { name: summary.name });
  const current = customerId === undefined ? template : rendered;
  const options = (customers.data?.items ?? []).map((c) => ({
    value: c.id,
    label: fullName(c.familyName, c.givenName) || `#${c.id}`,
  }));
  return (
    <Card title={<CardTitle>{title}</CardTitle>}>
      <Typography.Paragraph type="secondary">
        {customerId === undefined ? t('previewHint') : t('customerHint')}
      </Typography.Paragraph>
      <Form layout="inline" style={{ marginBottom: 16 }}>
        <Form.Item label={t('customer')} htmlFor="template-preview-customer">
          <Select
            id="template-preview-customer"
            allowClear
            showSearch={{ filterOption: false, onSearch: setSearch }}
            placeholder={t('asWritten')}
            style={{ width: 320 }}
            value={customerId}
            onChange={(value?: number) => setCustomerId(value)}
            options={options}
            loading={customers.isFetching}
          />
        </Form.Item>
      </Form>
      {current.isPending ? (
        <Loading />
      ) : current.isError ? (
        <ErrorState error={current.error} retry={() => current.refetch()} />
      ) : (
        <MailView shown={current.data} title={title} />
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
