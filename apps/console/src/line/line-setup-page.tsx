import {
  Alert,
  App as AntApp,
  Button,
  Card,
  Collapse,
  Descriptions,
  Form,
  Input,
  List,
  Space,
  Typography,
} from 'antd';
import { Link } from 'react-router';
import { EmptyState, ErrorState, Loading } from '../app/states.tsx';
import { useSession } from '../auth/session.tsx';
import { formatDate } from '../i18n/format.ts';
import { useLocale, useT } from '../i18n/locale.tsx';
import { CardTitle } from '../team/card-title.tsx';
import { CopyField } from '../team/copy-field.tsx';
import { PageTheme } from '../team/page-theme.tsx';
import { lineMessages } from './messages.ts';
import { type ChannelForm, useChannels, useCheckChannel, useSaveChannel } from './queries.ts';

type Channel = NonNullable<ReturnType<typeof useChannels>['data']>[number];

function LineSetupPageContent() {
  const t = useT(lineMessages);
  const { can } = useSession();
  const channels = useChannels();
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
      {channels.isPending ? (
        <Loading />
      ) : channels.isError ? (
        <ErrorState error={channels.error} retry={() => channels.refetch()} />
      ) : channels.data.length === 0 ? (
        <Card>
          <EmptyState title={t('noChannels')} next={t('noChannelsNext')} />
        </Card>
      ) : (
        channels.data.map((channel) => <ChannelCard key={channel.id} channel={channel} />)
      )}
      {can('admin') && <ConnectCard />}
    </Space>
  );
}

function ChannelCard({ channel }: { channel: Channel }) {
  const t = useT(lineMessages);
  const { lang } = useLocale();
  const { can } = useSession();
  const check = useCheckChannel();
  return (
    <Card
      title={<CardTitle>{channel.name || channel.lineChannelId}</CardTitle>}
      extra={<Link to="/line/rich-menus">{t('richMenus')}</Link>}
    >
      <Descriptions column={{ xs: 1, md: 2 }} size="small" style={{ marginBottom: 16 }}>
        <Descriptions.Item label={t('lineChannelId')}>{channel.lineChannelId}</Descriptions.Item>
        <Descriptions.Item label={t('connectedAt')}>{formatDate(channel.createdAt, lang)}</Descriptions.Item>
        <Descriptions.Item label={t('secretMasked')}>{channel.channelSecret}</Descriptions.Item>
        <Descriptions.Item label={t('tokenMasked')}>{channel.accessToken}</Descriptions.Item>
      </Descriptions>
      <Typography.Text strong>{t('webhookUrl')}</Typography.Text>
      <div style={{ margin: '8px 0' }}>
        <CopyField
          value={channel.webhookUrl}
          label={t('webhookUrl')}
          copyLabel={t('copy')}
          copiedLabel={t('copied')}
        />
      </div>
      <Typography.Paragraph type="secondary">{t('webhookHelp')}</Typography.Paragraph>
      {can('admin') && (
        <Button onClick={() => check.mutate(channel.id)} loading={check.isPending}>
          {t('check')}
        </Button>
      )}
      {check.isError && (
        <Alert
          type="error"
          showIcon
          style={{ marginTop: 16 }}
          title={t('checkFailed', { reason: check.error.message })}
        />
      )}
      {check.data && <CheckResult result={check.data} />}
    </Card>
  );
}

type Check = NonNullable<ReturnType<typeof useCheckChannel>['data']>;

function CheckResult({ result }: { result: Check }) {
  const t = useT(lineMessages);
  const rows: { ok: boolean; text: string }[] = [];
  if (!result.accessTokenValid || !result.bot) rows.push({ ok: false, text: t('tokenBad') });
  else
    rows.push({
      ok: true,
      text: t('tokenOk', { name: result.bot.displayName, basicId: result.bot.basicId }),
    });
  const hook = result.webhook;
  if (hook) {
    rows.push(
      hook.reached
        ? { ok: true, text: t('webhookReached', { status: hook.statusCode }) }
        : { ok: false, text: t('webhookNotReached', { reason: hook.reason || hook.statusCode }) },
    );
    if (hook.configured === hook.expected) rows.push({ ok: true, text: t('webhookConfigured') });
    else if (hook.configured === '') rows.push({ ok: false, text: t('webhookMissing') });
    else rows.push({ ok: false, text: t('webhookOther', { url: hook.configured }) });
    if (hook.configured && !hook.active) rows.push({ ok: false, text: t('webhookInactive') });
  }
  const allOk = rows.every((r) => r.ok);
  return (
    <Alert
      style={{ marginTop: 16 }}
      type={allOk ? 'success' : 'warning'}
      showIcon
      role="status"
      title={t('checkResult')}
      description={
        <List
          size="small"
          split={false}
          dataSource={rows}
          renderItem={(row) => (
            <List.Item style={{ padding: '2px 0' }}>
              <span aria-hidden="true" style={{ marginRight: 8 }}>
                {row.ok ? '✓' : '⚠'}
              </span>
              {row.text}
            </List.Item>
          )}
        />
      }
    />
  );
}

function ConnectCard() {
  const t = useT(lineMessages);
  const { message } = AntApp.useApp();
  const save = useSaveChannel();
  const [form] = Form.useForm<ChannelForm>();
  const required = (field: string) => [
    { required: true, whitespace: true, message: t('required', { field }) },
  ];
  const submit = (values: ChannelForm) =>
    save.mutate(values, {
      onSuccess: (channel) => {
        message.success(t('saved', { name: channel.name || channel.lineChannelId }));
        form.resetFields();
      },
    });
  return (
    <Card title={<CardTitle>{t('connect')}</CardTitle>}>
      <Typography.Paragraph type="secondary">{t('connectHelp')}</Typography.Paragraph>
      <Form<ChannelForm>
        form={form}
        layout="vertical"
        onFinish={submit}
        requiredMark={false}
        style={{ maxWidth: 560 }}
      >
        <Form.Item
          name="lineChannelId"
          label={t('lineChannelId')}
          extra={t('lineChannelIdHelp')}
          rules={[
            ...required(t('lineChannelId')),
            { pattern: /^[0-9]{1,20}$/, message: t('lineChannelIdInvalid') },
          ]}
        >
          <Input inputMode="numeric" autoComplete="off" />
        </Form.Item>
        <Form.Item name="name" label={t('name')}>
          <Input maxLength={200} placeholder={t('namePlaceholder')} />
        </Form.Item>
        <Form.Item name="channelSecret" label={t('channelSecret')} rules={required(t('channelSecret'))}>
          <Input.Password autoComplete="off" maxLength={200} />
        </Form.Item>
        <Form.Item name="accessToken" label={t('accessToken')} rules={required(t('accessToken'))}>
          <Input.Password autoComplete="off" maxLength={2000} />
        </Form.Item>
        <Collapse
          ghost
          style={{ marginBottom: 16 }}
          items={[
            {
              key: 'advanced',
              label: t('advanced'),
              forceRender: true,
              children: (
                <Form.Item name="apiBaseUrl" label={t('apiBaseUrl')} extra={t('apiBaseUrlHelp')}>
                  <Input type="url" placeholder="https://api.line.me" maxLength={500} />
                </Form.Item>
              ),
            },
          ]}
        />
        {save.isError && (
          <Alert
            type="error"
            showIcon
            style={{ marginBottom: 16 }}
            title={t('saveFailed', { reason: save.error.message })}
          />
        )}
        <Button type="primary" htmlType="submit" loading={save.isPending}>
          {t('save')}
        </Button>
      </Form>
    </Card>
  );
}

export function LineSetupPage() {
  return (
    <PageTheme>
      <LineSetupPageContent />
    </PageTheme>
  );
}
