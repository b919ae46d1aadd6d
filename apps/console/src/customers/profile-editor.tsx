// The karte's profile editor: names, kana, contacts, birthday, gender, prefecture, postal code,
// interests, custom attributes and tags in one dialog. The
// server checks every field; its problems are shown under the field they name, in the reader's
// language, and a save refused because someone else saved first offers to reload.
import { Alert, App as AntApp, Button, Form, Input, Modal, Select, Space, Typography } from 'antd';
import { useState } from 'react';
import { ApiError } from '../api/client.ts';
import { useLocale, useT } from '../i18n/locale.tsx';
import { PageTheme } from '../team/page-theme.tsx';
import { type AttributeRow, attributePatch, attributeRows } from './attribute-rows.ts';
import { customerEditMessages } from './edit-messages.ts';
import { customerMessages } from './messages.ts';
import { formatPhone } from './names.ts';
import { PREFECTURES } from './prefectures.ts';
import { type Customer, type CustomerPatch, useCustomer, useUpdateCustomer } from './queries.ts';

interface ProfileForm {
  familyName: string;
  givenName: string;
  familyNameKana: string;
  givenNameKana: string;
  email: string;
  phone: string;
  birthday: string;
  gender: string;
  prefecture: string;
  postalCode: string;
  interests: string[];
  attributes: AttributeRow[];
  tags: string[];
}

const FIELDS = [
  'familyName',
  'givenName',
  'familyNameKana',
  'givenNameKana',
  'email',
  'phone',
  'birthday',
  'gender',
  'prefecture',
  'postalCode',
  'interests',
  'tags',
] as const;
type Field = (typeof FIELDS)[number];
const isField = (path: string): path is Field => (FIELDS as readonly string[]).includes(path);

function formOf(c: Customer): ProfileForm {
  const first = (kind: string) => c.identities.find((i) => i.kind === kind)?.value ?? '';
  return {
    familyName: c.familyName ?? '',
    givenName: c.givenName ?? '',
    familyNameKana: c.familyNameKana ?? '',
    givenNameKana: c.givenNameKana ?? '',
    email: first('email'),
    phone: first('phone') ? formatPhone(first('phone')) : '',
    birthday: c.birthday ?? '',
    gender: c.gender ?? '',
    prefecture: c.prefecture ?? '',
    postalCode: c.postalCode ?? '',
    interests: c.interests,
    attributes: attributeRows(c.attributes),
    tags: c.tags,
  };
}

/** Only what changed is sent, so an untouched email or phone keeps the customer's other ones. */
function patchOf(
  before: ProfileForm,
  after: ProfileForm,
  updatedAt: string,
  attributes: Record<string, unknown> | undefined,
): CustomerPatch {
  const patch: CustomerPatch = { updatedAt };
  const text = (v: string) => (v.trim() ? v.trim() : null);
  for (const key of ['familyName', 'givenName', 'familyNameKana', 'givenNameKana', 'email', 'phone'] as const)
    if (after[key] !== before[key]) patch[key] = text(after[key] ?? '');
  if (after.birthday !== before.birthday) patch.birthday = after.birthday || null;
  if (after.gender !== before.gender) patch.gender = (after.gender || null) as CustomerPatch['gender'];
  if (after.prefecture !== before.prefecture) patch.prefecture = after.prefecture || null;
  if (after.postalCode !== before.postalCode) patch.postalCode = text(after.postalCode ?? '');
  if (JSON.stringify(after.interests) !== JSON.stringify(before.interests))
    patch.interests = after.interests ?? [];
  if (attributes) patch.attributes = attributes as NonNullable<CustomerPatch['attributes']>;
  if (JSON.stringify(after.tags) !== JSON.stringify(before.tags)) patch.tags = after.tags ?? [];
  return patch;
}

export function ProfileEditor(props: { customer: Customer; onClose(): void }) {
  const t = useT(customerEditMessages);
  const c = useT(customerMessages);
  const { lang } = useLocale();
  const { message } = AntApp.useApp();
  const update = useUpdateCustomer(props.customer.id);
  const reread = useCustomer(props.customer.id);
  const [form] = Form.useForm<ProfileForm>();
  const [stale, setStale] = useState(false);
  const initial = formOf(props.customer);

  /** The server's problem for a field, in words a shop owner reads. */
  const explain = (field: Field, problem: string) => {
    const taken = /^belongs to customer (\d+)$/.exec(problem);
    if (taken) return t('problem.taken', { field: t(field), id: taken[1] ?? '' });
    if (problem.startsWith('a customer needs')) return t('problem.lastIdentity');
    if (field === 'familyNameKana' || field === 'givenNameKana') return t('problem.kana');
    if (field === 'email' || field === 'phone' || field === 'birthday' || field === 'postalCode')
      return t(`problem.${field}`);
    return problem;
  };

  const onFinish = async (values: ProfileForm) => {
    const attributes = attributePatch(props.customer.attributes, values.attributes ?? []);
    if (attributes.problems.length) {
      form.setFields(
        attributes.problems.map((p) => ({
          name: ['attributes', p.row, p.kind === 'json' ? 'value' : 'key'],
          errors: [t(`problem.attribute.${p.kind}`)],
        })),
      );
      return;
    }
    try {
      await update.mutateAsync(patchOf(initial, values, props.customer.updatedAt, attributes.patch));
      message.success(t('saved'));
      props.onClose();
    } catch (error) {
      if (error instanceof ApiError && error.reason === 'customer_changed') return setStale(true);
      const problems = error instanceof ApiError ? error.problems : [];
      const fields = problems.filter((p) => isField(p.path));
      const attributeProblem = problems.find((p) => p.path.startsWith('attributes'));
      if (attributeProblem) message.error(`${t('attributes')}: ${attributeProblem.message}`);
      if (fields.length)
        form.setFields(
          fields.map((p) => ({ name: p.path as Field, errors: [explain(p.path as Field, p.message)] })),
        );
      else if (!attributeProblem) message.error(`${t('failed')}: ${(error as Error).message}`);
    }
  };

  // PageTheme: Ant Design's own error red is under 4.5:1 on white, and errors show under the fields.
  return (
    <PageTheme>
      <Modal title={t('editTitle')} open onCancel={props.onClose} footer={null} width={640} destroyOnHidden>
        {stale && (
          <Alert
            type="warning"
            showIcon
            style={{ marginBottom: 12 }}
            title={t('changed')}
            action={
              <Button
                onClick={async () => {
                  const fresh = await reread.refetch();
                  if (fresh.data) form.setFieldsValue(formOf(fresh.data));
                  setStale(false);
                  props.onClose();
                }}
              >
                {t('reload')}
              </Button>
            }
          />
        )}
        <Form<ProfileForm> form={form} layout="vertical" onFinish={onFinish} initialValues={initial}>
          <Space wrap size="middle">
            {(['familyName', 'givenName', 'familyNameKana', 'givenNameKana'] as const).map((f) => (
              <Form.Item key={f} name={f} label={t(f)} style={{ width: 270 }}>
                <Input maxLength={100} />
              </Form.Item>
            ))}
            <Form.Item name="email" label={t('email')} style={{ width: 270 }}>
              <Input type="email" maxLength={254} autoComplete="off" />
            </Form.Item>
            <Form.Item name="phone" label={t('phone')} style={{ width: 270 }}>
              <Input type="tel" maxLength={50} autoComplete="off" />
            </Form.Item>
            <Form.Item name="birthday" label={t('birthday')} style={{ width: 270 }}>
              <Input type="date" />
            </Form.Item>
            <Form.Item name="gender" label={t('gender')} style={{ width: 270 }}>
              <Select
                options={[
                  { value: '', label: '—' },
                  { value: 'female', label: c('genderFemale') },
                  { value: 'male', label: c('genderMale') },
                  { value: 'other', label: c('genderOther') },
                  { value: 'unanswered', label: c('genderUnanswered') },
                ]}
              />
            </Form.Item>
            <Form.Item name="prefecture" label={t('prefecture')} style={{ width: 270 }}>
              <Select
                showSearch
                optionFilterProp="label"
                options={[
                  { value: '', label: '—' },
                  ...PREFECTURES.map(([ja, en]) => ({
                    value: ja,
                    label: lang === 'ja' ? ja : `${en} (${ja})`,
                  })),
                ]}
              />
            </Form.Item>
            <Form.Item name="postalCode" label={t('postalCode')} style={{ width: 270 }}>
              <Input maxLength={10} placeholder="150-0002" autoComplete="off" />
            </Form.Item>
          </Space>
          <Form.Item name="interests" label={t('interests')} extra={t('tagsHelp')}>
            <Select mode="tags" open={false} suffixIcon={null} aria-label={t('interests')} maxCount={50} />
          </Form.Item>
          <Typography.Text strong>{t('attributes')}</Typography.Text>
          <Typography.Paragraph type="secondary" style={{ marginBottom: 8 }}>
            {t('attributesHelp')}
          </Typography.Paragraph>
          <Form.List name="attributes">
            {(rows, { add, remove }) => (
              <>
                {rows.map((row) => (
                  <Space key={row.key} align="start" style={{ display: 'flex' }}>
                    <Form.Item name={[row.name, 'key']} style={{ width: 200, marginBottom: 8 }}>
                      <Input maxLength={100} aria-label={t('attributeKey')} placeholder={t('attributeKey')} />
                    </Form.Item>
                    <Form.Item name={[row.name, 'value']} style={{ width: 300, marginBottom: 8 }}>
                      <Input
                        maxLength={2000}
                        aria-label={t('attributeValue')}
                        placeholder={t('attributeValue')}
                      />
                    </Form.Item>
                    <Button onClick={() => remove(row.name)}>{t('attributeRemove')}</Button>
                  </Space>
                ))}
                <Button
                  type="dashed"
                  onClick={() => add({ key: '', value: '' })}
                  style={{ marginBottom: 16 }}
                >
                  {t('attributeAdd')}
                </Button>
              </>
            )}
          </Form.List>
          <Form.Item name="tags" label={t('tags')} extra={t('tagsHelp')}>
            <Select mode="tags" open={false} suffixIcon={null} aria-label={t('tags')} maxCount={100} />
          </Form.Item>
          <Typography.Paragraph type="secondary">{t('contactNote')}</Typography.Paragraph>
          <Space style={{ width: '100%', justifyContent: 'flex-end' }}>
            <Button onClick={props.onClose}>{t('cancel')}</Button>
            <Button type="primary" htmlType="submit" loading={update.isPending}>
              {t('save')}
            </Button>
          </Space>
        </Form>
      </Modal>
    </PageTheme>
  );
}
