// A new coupon template, with the LINE message it becomes shown beside the form as it is typed.
import {
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
  Typography,
} from 'antd';
import { Link, useNavigate } from 'react-router';
import { useT } from '../i18n/locale.tsx';
import { useStores } from '../segments/queries.ts';
import { CouponLinePreview } from './coupon-line-preview.tsx';
import { editMessages } from './edit-messages.ts';
import { type CouponTemplateInput, useCreateCouponTemplate, useLoyaltyRules } from './queries.ts';

interface CouponForm {
  name: string;
  description?: string;
  kind: 'amount_off' | 'percent_off' | 'free_item';
  value?: number;
  freeItem?: string;
  minSpend?: number;
  validity: 'days' | 'window';
  validDays?: number;
  validFrom?: string;
  validUntil?: string;
  perCustomerLimit?: number;
  totalLimit?: number;
  tierCodes?: string[];
  storeCodes?: string[];
}

const DAY = 86_400_000;
const yen = {
  formatter: (v: number | string | undefined) => `${v ?? ''}`.replace(/\B(?=(\d{3})+(?!\d))/g, ','),
  parser: (v: string | undefined) => Number((v ?? '').replace(/[^\d]/g, '')),
};

/** The form's values as the API's body: JST calendar days become instants (the end day inclusive). */
function toBody(f: CouponForm): CouponTemplateInput {
  const body: CouponTemplateInput = { name: f.name.trim(), kind: f.kind, minSpend: f.minSpend ?? 0 };
  if (f.description) body.description = f.description;
  if (f.kind === 'free_item') body.freeItem = f.freeItem ?? '';
  else body.value = f.value ?? 0;
  if (f.validity === 'days' && f.validDays) body.validDays = f.validDays;
  if (f.validity === 'window') {
    if (f.validFrom) body.validFrom = `${f.validFrom}T00:00:00+09:00`;
    if (f.validUntil)
      body.validUntil = new Date(Date.parse(`${f.validUntil}T00:00:00+09:00`) + DAY - 1000).toISOString();
  }
  if (f.perCustomerLimit) body.perCustomerLimit = f.perCustomerLimit;
  if (f.totalLimit) body.totalLimit = f.totalLimit;
  if (f.tierCodes?.length) body.tierCodes = f.tierCodes;
  if (f.storeCodes?.length) body.storeCodes = f.storeCodes;
  return body;
}

export function CouponEditorPage() {
  const t = useT(editMessages);
  const { message } = AntApp.useApp();
  const navigate = useNavigate();
  const [form] = Form.useForm<CouponForm>();
  const values =
    Form.useWatch([], form) ?? ({ name: '', kind: 'amount_off', validity: 'days' } as CouponForm);
  const rules = useLoyaltyRules();
  const stores = useStores();
  const create = useCreateCouponTemplate();
  const onFinish = async (f: CouponForm) => {
    try {
      const created = await create.mutateAsync(toBody(f));
      message.success(t('created', { name: created.name }));
      navigate('/loyalty');
    } catch (error) {
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
        {t('newCouponTitle')}
      </Typography.Title>
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={14}>
          <Card size="small">
            <Form<CouponForm>
              form={form}
              layout="vertical"
              onFinish={onFinish}
              initialValues={{ kind: 'amount_off', validity: 'days', validDays: 30, minSpend: 0, value: 300 }}
            >
              <Form.Item name="name" label={t('couponName')} rules={required(t('couponName'))}>
                <Input maxLength={200} />
              </Form.Item>
              <Form.Item name="description" label={t('couponDescription')}>
                <Input.TextArea maxLength={1000} autoSize={{ minRows: 2, maxRows: 4 }} />
              </Form.Item>
              <Form.Item name="kind" label={t('kind')}>
                <Radio.Group
                  optionType="button"
                  options={(['amount_off', 'percent_off', 'free_item'] as const).map((k) => ({
                    value: k,
                    label: t(`kind.${k}`),
                  }))}
                />
              </Form.Item>
              {values.kind === 'free_item' ? (
                <Form.Item name="freeItem" label={t('freeItem')} rules={required(t('freeItem'))}>
                  <Input maxLength={200} />
                </Form.Item>
              ) : values.kind === 'percent_off' ? (
                <Form.Item name="value" label={t('percentOff')} rules={required(t('percentOff'))}>
                  <InputNumber<number> min={1} max={100} suffix="%" style={{ width: 160 }} />
                </Form.Item>
              ) : (
                <Form.Item name="value" label={t('amountOff')} rules={required(t('amountOff'))}>
                  <InputNumber<number> min={1} max={10_000_000} prefix="￥" style={{ width: 200 }} {...yen} />
                </Form.Item>
              )}
              <Form.Item name="minSpend" label={t('minSpend')}>
                <InputNumber<number> min={0} max={100_000_000} prefix="￥" style={{ width: 200 }} {...yen} />
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
                  options={rules.data?.tiers.map((x) => ({ value: x.code, label: x.name }))}
                />
              </Form.Item>
              <Form.Item name="storeCodes" label={t('storeCodes')}>
                <Select
                  mode="multiple"
                  allowClear
                  options={stores.data?.items.map((s) => ({ value: s.code, label: s.name }))}
                />
              </Form.Item>
              <Button type="primary" size="large" htmlType="submit" loading={create.isPending}>
                {t('create')}
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
