// A new or an existing coupon template, with the LINE message it becomes shown beside the form as it is typed.
import {
  Alert,
  App as AntApp,
  Button,
  Card,
  Col,
  Form,
  Input,
  InputNumber,
  Radio,
  Row,
  Select,
  Space,
  Switch,
  Typography,
} from 'antd';
import { Link, useNavigate, useParams } from 'react-router';
import { ApiError } from '../api/client.ts';
import { ErrorState, Loading } from '../app/states.tsx';
import { useT } from '../i18n/locale.tsx';
import { useStores } from '../segments/queries.ts';
import { type CouponForm, DAY, fromTemplate, toCreateBody, toPatchBody } from './coupon-form.ts';
import { CouponLinePreview } from './coupon-line-preview.tsx';
import { editMessages } from './edit-messages.ts';
import {
  type CouponTemplate,
  useCouponTemplates,
  useCreateCouponTemplate,
  useLoyaltyRules,
  useUpdateCouponTemplate,
} from './queries.ts';

const yen = {
  formatter: (v: number | string | undefined) => `${v ?? ''}`.replace(/\B(?=(\d{3})+(?!\d))/g, ','),
  parser: (v: string | undefined) => Number((v ?? '').replace(/[^\d]/g, '')),
};

/** A new coupon template (`/loyalty/coupons/new`) or an existing one (`/loyalty/coupons/:id`). */
export function CouponEditorPage() {
  const id = useParams().id;
  const templates = useCouponTemplates();
  if (id === undefined) return <CouponEditor />;
  if (templates.isPending) return <Loading />;
  if (templates.isError) return <ErrorState error={templates.error} retry={() => templates.refetch()} />;
  const template = templates.data.items.find((c) => c.id === Number(id));
  if (!template) return <ErrorState error={new Error(`coupon template ${id} not found`)} />;
  return <CouponEditor template={template} />;
}

function CouponEditor({ template }: { template?: CouponTemplate }) {
  const t = useT(editMessages);
  const { message } = AntApp.useApp();
  const navigate = useNavigate();
  const [form] = Form.useForm<CouponForm>();
  const values =
    Form.useWatch([], form) ?? ({ name: '', kind: 'amount_off', validity: 'days' } as CouponForm);
  const rules = useLoyaltyRules();
  const stores = useStores();
  const create = useCreateCouponTemplate();
  const update = useUpdateCouponTemplate(template?.id ?? 0);
  // Issued coupons read their discount, stores and tiers from the template: those are fixed now.
  const locked = (template?.issuedCount ?? 0) > 0;
  const onFinish = async (f: CouponForm) => {
    try {
      const saved = template
        ? await update.mutateAsync(toPatchBody(f, locked))
        : await create.mutateAsync(toCreateBody(f));
      message.success(t(template ? 'updated' : 'created', { name: saved.name }));
      navigate('/loyalty');
    } catch (error) {
      const fields =
        error instanceof ApiError ? error.problems.filter((p) => /^[a-zA-Z]+$/.test(p.path)) : [];
      if (fields.length)
        form.setFields(fields.map((p) => ({ name: p.path as keyof CouponForm, errors: [p.message] })));
      message.error(`${t('failed')}: ${(error as Error).message}`);
    }
  };
  const previewUntil =
    values.validity === 'window'
      ? values.validUntil && `${values.validUntil}T00:00:00+09:00`
      : values.validDays
        ? new Date(Date.now() + values.validDays * DAY).toISOString()
        : undefined;
  const required = (field: string) => [{ required: true, message: t('required', { field }) }];
  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Link to="/loyalty">← {t('back')}</Link>
      <Typography.Title level={1} style={{ fontSize: 24, margin: 0 }}>
        {template ? t('editCouponTitle', { name: template.name }) : t('newCouponTitle')}
      </Typography.Title>
      {locked && (
        <Alert
          type="warning"
          showIcon
          title={t('couponLocked', { n: template?.issuedCount ?? 0 })}
          description={t('couponLockedNext')}
        />
      )}
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={14}>
          <Card size="small">
            <Form<CouponForm>
              form={form}
              layout="vertical"
              onFinish={onFinish}
              initialValues={
                template
                  ? fromTemplate(template)
                  : { kind: 'amount_off', validity: 'days', validDays: 30, minSpend: 0, value: 300 }
              }
            >
              <Form.Item name="name" label={t('couponName')} rules={required(t('couponName'))}>
                <Input maxLength={200} />
              </Form.Item>
              <Form.Item name="description" label={t('couponDescription')}>
                <Input.TextArea maxLength={1000} autoSize={{ minRows: 2, maxRows: 4 }} />
              </Form.Item>
              <Form.Item name="kind" label={t('kind')}>
                <Radio.Group
                  disabled={locked}
                  optionType="button"
                  options={(['amount_off', 'percent_off', 'free_item'] as const).map((k) => ({
                    value: k,
                    label: t(`kind.${k}`),
                  }))}
                />
              </Form.Item>
              {values.kind === 'free_item' ? (
                <Form.Item name="freeItem" label={t('freeItem')} rules={required(t('freeItem'))}>
                  <Input maxLength={200} disabled={locked} />
                </Form.Item>
              ) : values.kind === 'percent_off' ? (
                <Form.Item name="value" label={t('percentOff')} rules={required(t('percentOff'))}>
                  <InputNumber<number>
                    min={1}
                    max={100}
                    suffix="%"
                    style={{ width: 160 }}
                    disabled={locked}
                  />
                </Form.Item>
              ) : (
                <Form.Item name="value" label={t('amountOff')} rules={required(t('amountOff'))}>
                  <InputNumber<number>
                    min={1}
                    max={10_000_000}
                    prefix="￥"
                    style={{ width: 200 }}
                    disabled={locked}
                    {...yen}
                  />
                </Form.Item>
              )}
              <Form.Item name="minSpend" label={t('minSpend')}>
                <InputNumber<number>
                  min={0}
                  max={100_000_000}
                  prefix="￥"
                  style={{ width: 200 }}
                  disabled={locked}
                  {...yen}
                />
              </Form.Item>
              <Form.Item name="validity" label={t('validity')}>
                <Radio.Group
                  optionType="button"
                  options={(['days', 'window'] as const).map((k) => ({
                    value: k,
                    label: t(`validity.${k}`),
                  }))}
                />
              </Form.Item>
              {values.validity === 'window' ? (
                <Space wrap>
                  <Form.Item name="validFrom" label={t('validFrom')}>
                    <Input type="date" />
                  </Form.Item>
                  <Form.Item name="validUntil" label={t('validUntil')}>
                    <Input type="date" />
                  </Form.Item>
                </Space>
              ) : (
                <Form.Item name="validDays" label={t('validDays')}>
                  <InputNumber<number> min={1} max={3660} style={{ width: 160 }} />
                </Form.Item>
              )}
              <Space wrap>
                <Form.Item name="perCustomerLimit" label={t('perCustomerLimit')}>
                  <InputNumber<number> min={1} max={1000} style={{ width: 160 }} />
                </Form.Item>
                <Form.Item name="totalLimit" label={t('totalLimit')}>
                  <InputNumber<number> min={1} max={10_000_000} style={{ width: 160 }} />
                </Form.Item>
              </Space>
              <Form.Item name="tierCodes" label={t('tierCodes')}>
                <Select
                  mode="multiple"
                  allowClear
                  disabled={locked}
                  options={rules.data?.tiers.map((x) => ({ value: x.code, label: x.name }))}
                />
              </Form.Item>
              <Form.Item name="storeCodes" label={t('storeCodes')}>
                <Select
                  mode="multiple"
                  allowClear
                  disabled={locked}
                  options={stores.data?.items.map((s) => ({ value: s.code, label: s.name }))}
                />
              </Form.Item>
              {template && (
                <Form.Item
                  name="active"
                  label={t('couponActive')}
                  valuePropName="checked"
                  extra={t('couponActiveHelp')}
                >
                  <Switch />
                </Form.Item>
              )}
              {template && (
                <Typography.Paragraph type="secondary">{t('couponEditNote')}</Typography.Paragraph>
              )}
              <Button
                type="primary"
                size="large"
                htmlType="submit"
                loading={create.isPending || update.isPending}
              >
                {template ? t('save') : t('create')}
              </Button>
            </Form>
          </Card>
        </Col>
        <Col xs={24} lg={10}>
          <Card size="small" title={t('preview')} style={{ position: 'sticky', top: 16 }}>
            <CouponLinePreview
              coupon={{
                name: values.name ?? '',
                description: values.description,
                kind: values.kind ?? 'amount_off',
                value: values.value,
                freeItem: values.freeItem,
                minSpend: values.minSpend,
                validUntil: previewUntil || undefined,
              }}
            />
          </Card>
        </Col>
      </Row>
    </Space>
  );
}
