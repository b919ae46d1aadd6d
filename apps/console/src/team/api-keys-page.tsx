import {
  Alert,
  App as AntApp,
  Button,
  Card,
  Checkbox,
  Form,
  Input,
  Modal,
  Popconfirm,
  Space,
  Table,
  Tag,
  Typography,
} from 'antd';
import { useState } from 'react';
import { EmptyState, ErrorState } from '../app/states.tsx';
import type { Scope } from '../auth/roles.ts';
import { formatDate, formatDateTime } from '../i18n/format.ts';
import { useLocale, useT } from '../i18n/locale.tsx';
import { CardTitle } from './card-title.tsx';
import { CopyField } from './copy-field.tsx';
import { apiKeyMessages } from './messages.ts';
import { PageTheme } from './page-theme.tsx';
import { useApiKeys, useCreateApiKey, useMembers, useRevokeApiKey } from './queries.ts';

const SCOPE_LABELS = {
  read: 'scopeRead',
  ingest: 'scopeIngest',
  send: 'scopeSend',
  till: 'scopeTill',
  admin: 'scopeAdmin',
} as const satisfies Record<Scope, string>;

interface KeyForm {
  name: string;
  scopes: Scope[];
}

function ApiKeysPageContent() {
  const t = useT(apiKeyMessages);
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
      <CreateKeyCard />
      <KeyTable />
    </Space>
  );
}

function CreateKeyCard() {
  const t = useT(apiKeyMessages);
  const create = useCreateApiKey();
  const [form] = Form.useForm<KeyForm>();
  // The token lives only in this state: once the dialog is closed nothing can show it again.
  const [shown, setShown] = useState<{ name: string; token: string }>();
  const submit = (values: KeyForm) =>
    create.mutate(values, {
      onSuccess: (key) => {
        setShown({ name: values.name, token: key.token });
        form.resetFields();
      },
    });
  return (
    <Card title={<CardTitle>{t('create')}</CardTitle>}>
      <Form<KeyForm>
        form={form}
        layout="vertical"
        initialValues={{ scopes: ['read'] }}
        onFinish={submit}
        requiredMark={false}
      >
        <Form.Item
          name="name"
          label={t('name')}
          rules={[{ required: true, whitespace: true, message: t('nameRequired') }]}
        >
          <Input maxLength={100} placeholder={t('namePlaceholder')} style={{ maxWidth: 400 }} />
        </Form.Item>
        <Form.Item
          name="scopes"
          label={t('scopes')}
          rules={[
            // A validator, not `required`: Form would put aria-required on the checkbox group, which axe refuses.
            {
              validator: (_, value?: Scope[]) =>
                value?.length ? Promise.resolve() : Promise.reject(new Error(t('scopesRequired'))),
            },
          ]}
        >
          <Checkbox.Group
            options={(Object.keys(SCOPE_LABELS) as Scope[]).map((s) => ({
              value: s,
              label: t(SCOPE_LABELS[s]),
            }))}
          />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={create.isPending}>
          {t('submit')}
        </Button>
      </Form>
      {create.isError && (
        <Alert
          type="error"
          showIcon
          style={{ marginTop: 16 }}
          title={t('createFailed', { reason: create.error.message })}
        />
      )}
      <Modal
        open={shown !== undefined}
        title={shown && t('secretTitle', { name: shown.name })}
        closable={false}
        maskClosable={false}
        keyboard={false}
        // Closed means gone: antd would otherwise keep the hidden dialog, and the key in it, in the page.
        destroyOnHidden
        footer={
          <Button type="primary" onClick={() => setShown(undefined)}>
            {t('secretDone')}
          </Button>
        }
      >
        <Space direction="vertical" style={{ width: '100%' }}>
          <Alert type="warning" showIcon title={t('secretWarning')} />
          {shown && (
            <CopyField
              value={shown.token}
              label={t('secretLabel')}
              copyLabel={t('copy')}
              copiedLabel={t('copied')}
            />
          )}
        </Space>
      </Modal>
    </Card>
  );
}

function KeyTable() {
  const t = useT(apiKeyMessages);
  const { lang } = useLocale();
  const { message } = AntApp.useApp();
  const keys = useApiKeys();
  const members = useMembers();
  const revoke = useRevokeApiKey();
  const who = (userId: string | null) =>
    userId === null ? '—' : (members.data?.find((m) => m.userId === userId)?.email ?? '—');
  if (keys.isError) return <ErrorState error={keys.error} retry={() => keys.refetch()} />;
  return (
    <Card>
      <Table
        rowKey="id"
        loading={keys.isPending}
        dataSource={keys.data ?? []}
        pagination={false}
        locale={{ emptyText: keys.isPending ? ' ' : <EmptyState title={t('empty')} next={t('emptyNext')} /> }}
        columns={[
          { title: t('name'), dataIndex: 'name' },
          {
            title: t('scopes'),
            dataIndex: 'scopes',
            render: (scopes: string[]) => scopes.map((s) => <Tag key={s}>{s}</Tag>),
          },
          { title: t('createdBy'), dataIndex: 'createdBy', render: who },
          {
            title: t('createdAt'),
            dataIndex: 'createdAt',
            render: (at: string) => <span style={{ whiteSpace: 'nowrap' }}>{formatDate(at, lang)}</span>,
          },
          {
            title: t('lastUsedAt'),
            dataIndex: 'lastUsedAt',
            render: (at: string | null) => (at ? formatDateTime(at, lang) : t('never')),
          },
          {
            title: t('status'),
            dataIndex: 'revokedAt',
            render: (at: string | null) =>
              at ? (
                <Tag>{t('revoked', { date: formatDate(at, lang) })}</Tag>
              ) : (
                <Tag color="green" style={{ color: '#135200' }}>
                  {t('active')}
                </Tag>
              ),
          },
          {
            title: '',
            key: 'revoke',
            render: (_, key) =>
              key.revokedAt ? null : (
                <Popconfirm
                  title={t('revokeConfirm', { name: key.name })}
                  okText={t('revoke')}
                  okButtonProps={{ danger: true }}
                  cancelText={t('cancel')}
                  onConfirm={() =>
                    revoke.mutateAsync(key.id).then(
                      () => message.success(t('revokedDone', { name: key.name })),
                      (error: Error) => message.error(t('revokeFailed', { reason: error.message })),
                    )
                  }
                >
                  <Button danger aria-label={`${t('revoke')}: ${key.name}`}>
                    {t('revoke')}
                  </Button>
                </Popconfirm>
              ),
          },
        ]}
      />
    </Card>
  );
}

export function ApiKeysPage() {
  return (
    <PageTheme>
      <ApiKeysPageContent />
    </PageTheme>
  );
}
