// The send policy (admin): quiet hours in JST and the frequency caps per channel, read from and
// saved to /v1/messaging/policy. The messaging core applies it to every marketing send.
import { App as AntApp, Button, Card, Checkbox, Form, Input, InputNumber, Space, Typography } from 'antd';
import { ErrorState, Loading } from '../app/states.tsx';
import { useT } from '../i18n/locale.tsx';
import { campaignMessages } from './messages.ts';
import { type SendPolicy, useSaveSendPolicy, useSendPolicy } from './queries.ts';

interface Cap {
  enabled: boolean;
  max?: number;
  windowHours?: number;
}

interface PolicyForm {
  quiet: { enabled: boolean; start?: string; end?: string };
  line: Cap;
  email: Cap;
}

const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

function toForm(policy: SendPolicy): PolicyForm {
  const cap = (c: SendPolicy['frequencyCaps']['line']): Cap =>
    c
      ? { enabled: true, max: c.max, windowHours: c.windowHours }
      : { enabled: false, max: 2, windowHours: 168 };
  return {
    quiet: policy.quietHours
      ? { enabled: true, start: policy.quietHours.start, end: policy.quietHours.end }
      : { enabled: false, start: '21:00', end: '09:00' },
    line: cap(policy.frequencyCaps.line),
    email: cap(policy.frequencyCaps.email),
  };
}

function fromForm(form: PolicyForm): SendPolicy {
  const cap = (c: Cap) => (c.enabled ? { max: c.max ?? 1, windowHours: c.windowHours ?? 168 } : null);
  return {
    quietHours: form.quiet.enabled
      ? { start: form.quiet.start ?? '21:00', end: form.quiet.end ?? '09:00' }
      : null,
    frequencyCaps: { line: cap(form.line), email: cap(form.email) },
  };
}

export function SendPolicyPage() {
  const t = useT(campaignMessages);
  const { message } = AntApp.useApp();
  const policy = useSendPolicy();
  const save = useSaveSendPolicy();
  const [form] = Form.useForm<PolicyForm>();
  const quietOn = Form.useWatch(['quiet', 'enabled'], form);
  const lineOn = Form.useWatch(['line', 'enabled'], form);
  const emailOn = Form.useWatch(['email', 'enabled'], form);
  if (policy.isPending) return <Loading />;
  if (policy.isError) return <ErrorState error={policy.error} retry={() => policy.refetch()} />;

  const submit = (values: PolicyForm) =>
    save.mutate(fromForm(values), {
      onSuccess: () => message.success(t('saved')),
      onError: (error) => message.error(t('saveFailed', { reason: error.message })),
    });

  const capCard = (name: 'line' | 'email', on: boolean | undefined) => (
    <Card size="small" title={t(name === 'line' ? 'capLine' : 'capEmail')}>
      <Form.Item name={[name, 'enabled']} valuePropName="checked" style={{ marginBottom: 8 }}>
        <Checkbox>{t('capEnabled')}</Checkbox>
      </Form.Item>
      <Space size="large" wrap>
        <Form.Item
          name={[name, 'max']}
          label={t('capMax')}
          rules={[{ required: !!on, message: t('capMax') }]}
        >
          <InputNumber min={1} max={1000} precision={0} disabled={!on} />
        </Form.Item>
        <Form.Item
          name={[name, 'windowHours']}
          label={t('capWindow')}
          extra={t('capWindowHint')}
          rules={[{ required: !!on, message: t('capWindow') }]}
        >
          <InputNumber min={1} max={8760} precision={0} disabled={!on} />
        </Form.Item>
      </Space>
    </Card>
  );

  return (
    <Space direction="vertical" size="middle" style={{ width: '100%', maxWidth: 760 }}>
      <Typography.Title level={1} style={{ fontSize: 24, margin: 0 }}>
        {t('policyTitle')}
      </Typography.Title>
      <Typography.Paragraph style={{ margin: 0 }}>{t('policyIntro')}</Typography.Paragraph>
      <Form<PolicyForm> form={form} layout="vertical" initialValues={toForm(policy.data)} onFinish={submit}>
        <Space direction="vertical" size="middle" style={{ width: '100%' }}>
          <Card size="small" title={t('quietTitle')}>
            <Form.Item name={['quiet', 'enabled']} valuePropName="checked" style={{ marginBottom: 8 }}>
              <Checkbox>{t('quietEnabled')}</Checkbox>
            </Form.Item>
            <Space size="large" wrap>
              <Form.Item
                name={['quiet', 'start']}
                label={t('quietStart')}
                rules={[{ required: !!quietOn, pattern: TIME, message: t('timeInvalid') }]}
              >
                <Input style={{ width: 100 }} maxLength={5} disabled={!quietOn} />
              </Form.Item>
              <Form.Item
                name={['quiet', 'end']}
                label={t('quietEnd')}
                rules={[{ required: !!quietOn, pattern: TIME, message: t('timeInvalid') }]}
              >
                <Input style={{ width: 100 }} maxLength={5} disabled={!quietOn} />
              </Form.Item>
            </Space>
            <Typography.Text type="secondary">{t('quietHint')}</Typography.Text>
          </Card>
          {capCard('line', lineOn)}
          {capCard('email', emailOn)}
          <Button type="primary" htmlType="submit" loading={save.isPending}>
            {t('save')}
          </Button>
        </Space>
      </Form>
    </Space>
  );
}
