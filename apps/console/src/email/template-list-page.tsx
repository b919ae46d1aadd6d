// 「メールテンプレート」: the workspace's email templates, 「新規テンプレート」 and 「編集」 (owners,
// admins and marketers, as the API's `send` scope; staff and viewers open a template read only), and a preview of
// one: as written, or rendered for a customer picked by search (the API's preview route), its
// HTML in a sandboxed frame or its text part.
import { Button, Card, Flex, Form, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { EmptyState, ErrorState, Loading } from '../app/states.tsx';
import { TAG_COLORS } from '../app/tag-colors.ts';
import { useSession } from '../auth/session.tsx';
import { formatDate } from '../i18n/format.ts';
import { useLocale, useT } from '../i18n/locale.tsx';
import { CardTitle } from '../team/card-title.tsx';
import { PageTheme } from '../team/page-theme.tsx';
import { CustomerPicker } from './customer-picker.tsx';
import { MailView } from './mail-view.tsx';
import { templateMessages } from './messages.ts';
import { useTemplate, useTemplatePreview, useTemplates } from './queries.ts';

type Summary = NonNullable<ReturnType<typeof useTemplates>['data']>[number];

function TemplatePreview({ summary }: { summary: Summary }) {
  const t = useT(templateMessages);
  const [customerId, setCustomerId] = useState<number>();
  const template = useTemplate(summary.id);
  const rendered = useTemplatePreview(summary.id, customerId);
  const title = t('previewOf', { name: summary.name });
  const current = customerId === undefined ? template : rendered;
  return (
    <Card title={<CardTitle>{title}</CardTitle>}>
      <Typography.Paragraph type="secondary">
        {customerId === undefined ? t('previewHint') : t('customerHint')}
      </Typography.Paragraph>
      <Form layout="inline" style={{ marginBottom: 16 }}>
        <Form.Item label={t('customer')} htmlFor="template-preview-customer">
          <CustomerPicker
            id="template-preview-customer"
            value={customerId}
            onChange={setCustomerId}
            placeholder={t('asWritten')}
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
  const { can } = useSession();
  const editable = can('send');
  const navigate = useNavigate();
  const templates = useTemplates();
  const [chosen, setChosen] = useState<Summary>();
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Flex justify="space-between" align="flex-start" gap={16}>
        <div>
          <Typography.Title level={1} style={{ fontSize: 24, margin: 0 }}>
            {t('title')}
          </Typography.Title>
          <Typography.Paragraph type="secondary" style={{ margin: '8px 0 0' }}>
            {editable ? t('intro') : t('introReadOnly')}
          </Typography.Paragraph>
        </div>
        {editable && (
          <Button type="primary" onClick={() => navigate('/email/templates/new')}>
            {t('new')}
          </Button>
        )}
      </Flex>
      {templates.isPending ? (
        <Loading />
      ) : templates.isError ? (
        <ErrorState error={templates.error} retry={() => templates.refetch()} />
      ) : templates.data.length === 0 ? (
        <Card>
          <EmptyState title={t('empty')} next={editable ? t('emptyNext') : t('emptyNextReadOnly')} />
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
                  key: 'actions',
                  title: t('actions'),
                  render: (_, row) => (
                    <Space size="small">
                      <Link
                        to={`/email/templates/${row.id}`}
                        aria-label={`${t(editable ? 'edit' : 'open')}: ${row.name}`}
                      >
                        {t(editable ? 'edit' : 'open')}
                      </Link>
                      <Button
                        size="small"
                        type={chosen?.id === row.id ? 'primary' : 'default'}
                        aria-label={`${t('preview')}: ${row.name}`}
                        onClick={() => setChosen(row)}
                      >
                        {t('preview')}
                      </Button>
                    </Space>
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
