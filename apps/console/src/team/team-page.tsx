import {
  Alert,
  App as AntApp,
  Button,
  Card,
  Form,
  Input,
  Popconfirm,
  Select,
  Space,
  Table,
  Typography,
} from 'antd';
import { EmptyState, ErrorState } from '../app/states.tsx';
import { authMessages } from '../auth/messages.ts';
import { isRole, type Role } from '../auth/roles.ts';
import { useSession } from '../auth/session.tsx';
import { formatDate, formatDateTime } from '../i18n/format.ts';
import { useLocale, useT } from '../i18n/locale.tsx';
import { CardTitle } from './card-title.tsx';
import { CopyField } from './copy-field.tsx';
import { teamMessages } from './messages.ts';
import { PageTheme } from './page-theme.tsx';
import {
  useChangeRole,
  useInvitations,
  useInvite,
  useMembers,
  useRemoveMember,
  useWithdrawInvitation,
} from './queries.ts';
import { ROLE_HELP, ROLE_LABELS, ROLES } from './role-options.ts';

/** The roles the signed-in user may hand out: only owners make owners (the server checks too). */
function useRoleOptions() {
  const t = useT(teamMessages);
  const ta = useT(authMessages);
  const { workspace } = useSession();
  return ROLES.map((role) => ({
    value: role,
    label: `${ta(ROLE_LABELS[role])}（${t(ROLE_HELP[role])}）`,
    disabled: role === 'owner' && workspace?.role !== 'owner',
  }));
}

function TeamPageContent() {
  const t = useT(teamMessages);
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
      <InviteCard />
      <MemberTable />
      <InvitationTable />
    </Space>
  );
}

interface InviteForm {
  email: string;
  role: Role;
}

function InviteCard() {
  const t = useT(teamMessages);
  const { lang } = useLocale();
  const invite = useInvite();
  const roleOptions = useRoleOptions();
  const [form] = Form.useForm<InviteForm>();
  const made = invite.data;
  return (
    <Card title={<CardTitle>{t('invite')}</CardTitle>}>
      <Typography.Paragraph type="secondary">{t('inviteHelp')}</Typography.Paragraph>
      <Form<InviteForm>
        form={form}
        layout="inline"
        initialValues={{ role: 'staff' }}
        onFinish={(values) => invite.mutate(values, { onSuccess: () => form.resetFields() })}
        requiredMark={false}
        style={{ rowGap: 12 }}
      >
        <Form.Item
          name="email"
          label={t('email')}
          rules={[
            { required: true, message: t('emailRequired') },
            { type: 'email', message: t('emailInvalid') },
          ]}
        >
          <Input type="email" autoComplete="off" style={{ width: 260 }} />
        </Form.Item>
        <Form.Item name="role" label={t('role')}>
          <Select options={roleOptions} style={{ width: 320 }} aria-label={t('role')} />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={invite.isPending}>
          {t('inviteSubmit')}
        </Button>
      </Form>
      {invite.isError && (
        <Alert
          type="error"
          showIcon
          style={{ marginTop: 16 }}
          title={t('inviteFailed', { reason: invite.error.message })}
        />
      )}
      {made && (
        <Alert
          type="success"
          showIcon
          style={{ marginTop: 16 }}
          title={t('invited', { email: made.email, expires: formatDateTime(made.expiresAt, lang) })}
          description={
            <Space direction="vertical" style={{ width: '100%' }}>
              <span>{t('inviteLinkNote')}</span>
              <CopyField
                value={made.url}
                label={t('inviteLink')}
                copyLabel={t('copy')}
                copiedLabel={t('copied')}
              />
            </Space>
          }
        />
      )}
    </Card>
  );
}

function MemberTable() {
  const t = useT(teamMessages);
  const ta = useT(authMessages);
  const { lang } = useLocale();
  const { message } = AntApp.useApp();
  const members = useMembers();
  const changeRole = useChangeRole();
  const remove = useRemoveMember();
  const roleOptions = useRoleOptions();
  const failed = (error: Error) => message.error(t('changeFailed', { reason: error.message }));
  if (members.isError) return <ErrorState error={members.error} retry={() => members.refetch()} />;
  return (
    <Card title={<CardTitle>{t('members')}</CardTitle>}>
      <Table
        rowKey="userId"
        loading={members.isPending}
        dataSource={members.data ?? []}
        pagination={false}
        locale={{
          emptyText: members.isPending ? (
            ' '
          ) : (
            <EmptyState title={t('noMembers')} next={t('noMembersNext')} />
          ),
        }}
        columns={[
          {
            title: t('name'),
            dataIndex: 'name',
            render: (name: string | null, m) => (
              <>
                {name || m.email}
                {name && <span className="kz-kana">{m.email}</span>}
              </>
            ),
          },
          {
            title: t('role'),
            dataIndex: 'role',
            render: (role: string, m) => (
              <Select<Role>
                aria-label={t('roleOf', { email: m.email })}
                value={isRole(role) ? role : undefined}
                style={{ width: 140 }}
                options={roleOptions.map((o) => ({ ...o, label: ta(ROLE_LABELS[o.value]) }))}
                onChange={(next) =>
                  changeRole.mutate(
                    { userId: m.userId, role: next },
                    {
                      onSuccess: () =>
                        message.success(t('roleChanged', { email: m.email, role: ta(ROLE_LABELS[next]) })),
                      onError: failed,
                    },
                  )
                }
              />
            ),
          },
          { title: t('joinedAt'), dataIndex: 'joinedAt', render: (at: string) => formatDate(at, lang) },
          {
            title: t('lastSeenAt'),
            dataIndex: 'lastSeenAt',
            render: (at: string | null) => (at ? formatDateTime(at, lang) : t('never')),
          },
          {
            title: t('actions'),
            key: 'actions',
            render: (_, m) => (
              <Popconfirm
                title={t('removeConfirm', { email: m.email })}
                okText={t('remove')}
                okButtonProps={{ danger: true }}
                cancelText={t('cancel')}
                onConfirm={() =>
                  remove
                    .mutateAsync(m.userId)
                    .then(() => message.success(t('removed', { email: m.email })), failed)
                }
              >
                <Button danger aria-label={`${t('remove')}: ${m.email}`}>
                  {t('remove')}
                </Button>
              </Popconfirm>
            ),
          },
        ]}
      />
    </Card>
  );
}

function InvitationTable() {
  const t = useT(teamMessages);
  const ta = useT(authMessages);
  const { lang } = useLocale();
  const { message } = AntApp.useApp();
  const invitations = useInvitations();
  const withdraw = useWithdrawInvitation();
  if (invitations.isError)
    return <ErrorState error={invitations.error} retry={() => invitations.refetch()} />;
  return (
    <Card title={<CardTitle>{t('invitations')}</CardTitle>}>
      <Table
        rowKey="id"
        loading={invitations.isPending}
        dataSource={invitations.data ?? []}
        pagination={false}
        locale={{
          emptyText: invitations.isPending ? (
            ' '
          ) : (
            <EmptyState title={t('noInvitations')} next={t('noInvitationsNext')} />
          ),
        }}
        columns={[
          { title: t('email'), dataIndex: 'email' },
          {
            title: t('role'),
            dataIndex: 'role',
            render: (role: string) => (isRole(role) ? ta(ROLE_LABELS[role]) : role),
          },
          { title: t('invitedAt'), dataIndex: 'createdAt', render: (at: string) => formatDate(at, lang) },
          { title: t('expiresAt'), dataIndex: 'expiresAt', render: (at: string) => formatDateTime(at, lang) },
          {
            title: t('actions'),
            key: 'actions',
            render: (_, inv) => (
              <Popconfirm
                title={t('withdrawConfirm', { email: inv.email })}
                okText={t('withdraw')}
                okButtonProps={{ danger: true }}
                cancelText={t('cancel')}
                onConfirm={() =>
                  withdraw.mutateAsync(inv.id).then(
                    () => message.success(t('withdrawn', { email: inv.email })),
                    (error: Error) => message.error(t('changeFailed', { reason: error.message })),
                  )
                }
              >
                <Button aria-label={`${t('withdraw')}: ${inv.email}`}>{t('withdraw')}</Button>
              </Popconfirm>
            ),
          },
        ]}
      />
    </Card>
  );
}

export function TeamPage() {
  return (
    <PageTheme>
      <TeamPageContent />
    </PageTheme>
  );
}
