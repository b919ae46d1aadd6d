// The sender form: PUT /v1/email/sender. The server checks every field; a 400 names the field
// (`fromAddress: not an email address`) and the problem is shown under that field, in the reader's
// language. Roles without `admin` see the values as text.
import { Alert, App as AntApp, Button, Card, Descriptions, Form, Input, InputNumber, Typography } from 'antd';
import { ApiError } from '../api/client.ts';
import { useSession } from '../auth/session.tsx';
import { useT } from '../i18n/locale.tsx';
import { CardTitle } from '../team/card-title.tsx';
import { emailMessages } from './messages.ts';
import { type Sender, type SenderInput, useSaveSender } from './queries.ts';

interface SenderForm {
  fromName: string;
  fromAddress: string;
  replyTo: string;
  postalAddress: string;
  contact: string;
  yenPerMessage: number | null;
}

const TEXT_FIELDS = ['fromName', 'fromAddress', 'replyTo', 'postalAddress', 'contact'] as const;
const FIELDS = [...TEXT_FIELDS, 'yenPerMessage'] as const;
type Field = (typeof FIELDS)[number];
const isField = (path: string): path is Field => (FIELDS as readonly string[]).includes(path);

function formOf(sender: Sender | null): SenderForm {
  return {
    fromName: sender?.fromName ?? '',
    fromAddress: sender?.fromAddress ?? '',
    replyTo: sender?.replyTo ?? '',
    postalAddress: sender?.postalAddress ?? '',
    contact: sender?.contact ?? '',
    yenPerMessage: sender?.yenPerMessage ?? 0,
  };
}

function bodyOf(values: SenderForm): SenderInput {
  return {
    fromName: values.fromName.trim(),
    fromAddress: values.fromAddress.trim(),
    replyTo: values.replyTo.trim() || null,
    postalAddress: values.postalAddress.trim(),
    contact: values.contact.trim(),
    // Empty is not sent, so the server keeps the price it has (0 for a new sender).
    ...(values.yenPerMessage === null ? {} : { yenPerMessage: values.yenPerMessage }),
  };
}

/** For roles that may not change the sender: the values as text (disabled inputs are grey and hard to read). */
function SenderView({ sender }: { sender: Sender }) {
  const t = useT(emailMessages);
  const none = <Typography.Text type="secondary">{t('none')}</Typography.Text>;
  return (
    <Descriptions
      column={1}
      size="small"
      bordered
      styles={{ label: { width: 200 } }}
      items={[
        ...TEXT_FIELDS.map((field) => ({
          key: field,
          label: t(field === 'replyTo' ? 'replyToShort' : field),
          children: sender[field] || none,
        })),
        { key: 'yen', label: t('yenPerMessage'), children: t('yenValue', { yen: sender.yenPerMessage }) },
      ]}
    />
  );
}

export function SenderFormCard({ sender }: { sender: Sender | null }) {
  const t = useT(emailMessages);
  const { can } = useSession();
  if (!can('admin'))
    return (
      <Card title={<CardTitle>{t('sender')}</CardTitle>}>
        <LawNote />
        {sender && <SenderView sender={sender} />}
      </Card>
    );
  return <SenderEditor sender={sender} />;
}

function LawNote() {
  const t = useT(emailMessages);
  return (
    <Alert
      type="info"
      showIcon
      style={{ marginBottom: 16, maxWidth: 720 }}
      title={t('lawTitle')}
      description={t('lawBody')}
    />
  );
}

function SenderEditor({ sender }: { sender: Sender | null }) {
  const t = useT(emailMessages);
  const { message } = AntApp.useApp();
  const save = useSaveSender();
  const [form] = Form.useForm<SenderForm>();

  /** The server's problem in words a shop owner reads (its English text when not one of these). */
  const explain = (problem: string) => {
    if (problem === 'not an email address') return t('problem.address');
    if (problem === 'must be one line') return t('problem.oneLine');
    if (problem === 'not a domain name') return t('problem.domain');
    if (problem.startsWith('must be 0 to 1,000 yen')) return t('problem.yen');
    const length = /^must be 1 to (\d+) characters$/.exec(problem);
    return length ? t('problem.length', { max: length[1] ?? '' }) : problem;
  };

  const onFinish = async (values: SenderForm) => {
    try {
      const saved = await save.mutateAsync(bodyOf(values));
      form.setFieldsValue(formOf(saved));
      message.success(t('saved'));
    } catch (error) {
      const fields = error instanceof ApiError ? error.problems.filter((p) => isField(p.path)) : [];
      if (fields.length)
        form.setFields(fields.map((p) => ({ name: p.path as Field, errors: [explain(p.message)] })));
    }
  };
  const required = (field: Field) => [
    { required: true, whitespace: true, message: t('required', { field: t(field) }) },
  ];
  const fieldProblems = save.error instanceof ApiError && save.error.problems.some((p) => isField(p.path));

  return (
    <Card title={<CardTitle>{t('sender')}</CardTitle>}>
      <LawNote />
      <Form<SenderForm>
        form={form}
        layout="vertical"
        onFinish={onFinish}
        initialValues={formOf(sender)}
        style={{ maxWidth: 560 }}
      >
        <Form.Item
          name="fromName"
          label={t('fromName')}
          extra={t('fromNameHelp')}
          rules={required('fromName')}
        >
          <Input maxLength={100} autoComplete="organization" />
        </Form.Item>
        <Form.Item
          name="fromAddress"
          label={t('fromAddress')}
          extra={t('fromAddressHelp')}
          rules={required('fromAddress')}
        >
          {/* Not type="email": the server decides what an address is, and says so on this field. */}
          <Input maxLength={254} inputMode="email" autoComplete="off" />
        </Form.Item>
        <Form.Item name="replyTo" label={t('replyTo')} extra={t('replyToHelp')}>
          <Input maxLength={254} inputMode="email" autoComplete="off" />
        </Form.Item>
        <Form.Item
          name="postalAddress"
          label={t('postalAddress')}
          extra={t('postalAddressHelp')}
          rules={required('postalAddress')}
        >
          <Input maxLength={300} autoComplete="street-address" />
        </Form.Item>
        <Form.Item name="contact" label={t('contact')} extra={t('contactHelp')} rules={required('contact')}>
          <Input maxLength={300} autoComplete="off" />
        </Form.Item>
        <Form.Item name="yenPerMessage" label={t('yenPerMessage')} extra={t('yenPerMessageHelp')}>
          <InputNumber min={0} max={1000} step={0.1} suffix={t('yen')} style={{ width: 200 }} />
        </Form.Item>
        {save.isError && !fieldProblems && (
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
