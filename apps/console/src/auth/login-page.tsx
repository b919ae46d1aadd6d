import { Alert, Button, Card, Form, Input, Typography } from 'antd';
import { useState } from 'react';
import { LanguageSwitch } from '../app/language-switch.tsx';
import { useT } from '../i18n/locale.tsx';
import { authMessages } from './messages.ts';
import { useSession } from './session.tsx';

interface LoginForm {
  email: string;
  password: string;
}

export function LoginPage() {
  const t = useT(authMessages);
  const { login } = useSession();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (values: LoginForm) => {
    setBusy(true);
    setError(undefined);
    try {
      await login(values.email, values.password);
    } catch (failure) {
      setError(t('failed', { reason: (failure as Error).message }));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="kz-login">
      <Card style={{ width: 400 }}>
        <div style={{ display: 'flex', justifyContent: 'flex-end' }}>
          <LanguageSwitch />
        </div>
        <Typography.Title level={1} style={{ fontSize: 24 }}>
          {t('title')}
        </Typography.Title>
        <Typography.Paragraph type="secondary">{t('subtitle')}</Typography.Paragraph>
        {error && <Alert type="error" title={error} showIcon style={{ marginBottom: 16 }} />}
        <Form<LoginForm> layout="vertical" onFinish={submit} requiredMark={false}>
          <Form.Item
            name="email"
            label={t('email')}
            rules={[{ required: true, message: t('emailRequired') }]}
          >
            <Input type="email" autoComplete="username" />
          </Form.Item>
          <Form.Item
            name="password"
            label={t('password')}
            rules={[{ required: true, message: t('passwordRequired') }]}
          >
            <Input.Password autoComplete="current-password" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={busy}>
            {t('submit')}
          </Button>
        </Form>
      </Card>
    </main>
  );
}
