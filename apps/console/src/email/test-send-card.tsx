// A test mail: POST /v1/email/test, one address, sent now through KIZUNA_SMTP_URL with the sender's
// DKIM key. The relay's reply is shown; an unset relay (reason `smtp_not_configured`) gets
// guidance for whoever runs the server, an SMTP refusal the relay's own text.
import { Alert, Button, Card, Form, Input, Typography } from 'antd';
import { ApiError } from '../api/client.ts';
import { useT } from '../i18n/locale.tsx';
import { CardTitle } from '../team/card-title.tsx';
import { emailMessages } from './messages.ts';
import { useTestSend } from './queries.ts';

function TestSendResult({ send }: { send: ReturnType<typeof useTestSend> }) {
  const t = useT(emailMessages);
  if (send.data)
    return (
      <Alert
        type="success"
        showIcon
        role="status"
        title={t('sentTitle')}
        description={t('sentBody', { response: send.data.response })}
      />
    );
  if (!send.error) return null;
  const error = send.error;
  const reason = error instanceof ApiError ? error.reason : undefined;
  if (reason === 'smtp_not_configured')
    return (
      <Alert
        type="warning"
        showIcon
        role="alert"
        title={t('smtpMissingTitle')}
        description={t('smtpMissingBody')}
      />
    );
  return (
    <Alert
      type="error"
      showIcon
      role="alert"
      title={reason === 'smtp_refused' ? t('smtpRefusedTitle') : t('testFailed', { reason: error.message })}
      {...(reason === 'smtp_refused' ? { description: error.message } : {})}
    />
  );
}

export function TestSendCard({ hasSender }: { hasSender: boolean }) {
  const t = useT(emailMessages);
  const send = useTestSend();
  const [form] = Form.useForm<{ to: string }>();
  const onFinish = async ({ to }: { to: string }) => {
    try {
      await send.mutateAsync(to.trim());
    } catch (error) {
      const problem = error instanceof ApiError ? error.problems.find((p) => p.path === 'to') : undefined;
      if (problem) form.setFields([{ name: 'to', errors: [t('problem.address')] }]);
    }
  };
  return (
    <Card title={<CardTitle>{t('testSend')}</CardTitle>}>
      <Typography.Paragraph type="secondary">{t('testSendIntro')}</Typography.Paragraph>
      <Form form={form} layout="vertical" onFinish={onFinish} requiredMark={false} style={{ maxWidth: 560 }}>
        <Form.Item
          name="to"
          label={t('testTo')}
          rules={[{ required: true, whitespace: true, message: t('required', { field: t('testTo') }) }]}
          {...(hasSender ? {} : { extra: t('testNeedsSender') })}
        >
          <Input maxLength={254} inputMode="email" autoComplete="email" disabled={!hasSender} />
        </Form.Item>
        <Button htmlType="submit" loading={send.isPending} disabled={!hasSender} style={{ marginBottom: 16 }}>
          {t('send')}
        </Button>
      </Form>
      <TestSendResult send={send} />
    </Card>
  );
}
