// Editing the earn rules: the rate (as shops say it, "100円ごとに1ポイント"), rounding, expiry,
// notices, the QR's lifetime and the tiers. The rest of the rules document (bonus periods,
// exclusions, status grants, next-purchase coupons) is sent back unchanged.
import { App as AntApp, Button, Form, Input, InputNumber, Modal, Radio, Select, Space } from 'antd';
import { useT } from '../i18n/locale.tsx';
import { editMessages } from './edit-messages.ts';
import { type LoyaltyRules, useSaveRules } from './queries.ts';

interface RulesForm {
  yenPerPoint: number;
  rounding: LoyaltyRules['rounding'];
  lotValidityMonths: number;
  expiringSoonDays: number;
  qrValiditySeconds: number;
  tierBasis: LoyaltyRules['tierBasis'];
  tiers: { code: string; name: string; threshold: number; multiplier: number }[];
}

export function RulesEditor(props: { rules: LoyaltyRules; open: boolean; onClose(): void }) {
  const t = useT(editMessages);
  const { message } = AntApp.useApp();
  const save = useSaveRules();
  const [form] = Form.useForm<RulesForm>();
  const { rules } = props;
  const onFinish = async (f: RulesForm) => {
    // Keep each tier's coupon and perks: the form edits only its name, threshold and multiplier.
    const tiers = f.tiers.map((tier) => ({ ...rules.tiers.find((x) => x.code === tier.code), ...tier }));
    const { yenPerPoint, ...rest } = f;
    try {
      await save.mutateAsync({
        ...rules,
        ...rest,
        tiers,
        pointsPerYen: yenPerPoint > 0 ? 1 / yenPerPoint : 0,
      });
      message.success(t('rulesSaved'));
      props.onClose();
    } catch (error) {
      message.error(`${t('failed')}: ${(error as Error).message}`);
    }
  };
  return (
    <Modal
      title={t('rulesTitle')}
      open={props.open}
      onCancel={props.onClose}
      footer={null}
      width={760}
      destroyOnHidden
    >
      <Form<RulesForm>
        form={form}
        layout="vertical"
        onFinish={onFinish}
        initialValues={{
          yenPerPoint: rules.pointsPerYen > 0 ? Math.round(1 / rules.pointsPerYen) : 0,
          rounding: rules.rounding,
          lotValidityMonths: rules.lotValidityMonths,
          expiringSoonDays: rules.expiringSoonDays,
          qrValiditySeconds: rules.qrValiditySeconds,
          tierBasis: rules.tierBasis,
          tiers: rules.tiers.map(({ code, name, threshold, multiplier }) => ({
            code,
            name,
            threshold,
            multiplier,
          })),
        }}
      >
        <Space wrap size="large">
          <Form.Item name="yenPerPoint" label={t('yenPerPoint')} rules={[{ required: true }]}>
            <InputNumber<number> min={1} max={100_000} suffix="円" style={{ width: 160 }} />
          </Form.Item>
          <Form.Item name="rounding" label={t('rounding')}>
            <Radio.Group
              optionType="button"
              options={(['floor', 'round', 'ceil'] as const).map((k) => ({
                value: k,
                label: t(`rounding.${k}`),
              }))}
            />
          </Form.Item>
        </Space>
        <Space wrap size="large">
          <Form.Item name="lotValidityMonths" label={t('lotValidityMonths')}>
            <InputNumber<number> min={1} max={120} style={{ width: 140 }} />
          </Form.Item>
          <Form.Item name="expiringSoonDays" label={t('expiringSoonDays')}>
            <InputNumber<number> min={0} max={365} style={{ width: 140 }} />
          </Form.Item>
          <Form.Item name="qrValiditySeconds" label={t('qrValiditySeconds')}>
            <InputNumber<number> min={30} max={86_400} style={{ width: 140 }} />
          </Form.Item>
        </Space>
        <Form.Item name="tierBasis" label={t('tierBasis')}>
          <Select
            style={{ width: 280 }}
            options={(['spend', 'points'] as const).map((k) => ({ value: k, label: t(`tierBasis.${k}`) }))}
          />
        </Form.Item>
        <Form.List name="tiers">
          {(fields, { add, remove }) => (
            <>
              {fields.map((field) => (
                <Space key={field.key} wrap align="end">
                  <Form.Item
                    name={[field.name, 'name']}
                    label={t('tierName')}
                    rules={[{ required: true, whitespace: true }]}
                  >
                    <Input maxLength={100} style={{ width: 160 }} />
                  </Form.Item>
                  <Form.Item
                    name={[field.name, 'code']}
                    label={t('tierCode')}
                    rules={[{ required: true, pattern: /^[\w-]{1,50}$/ }]}
                  >
                    <Input maxLength={50} style={{ width: 120 }} />
                  </Form.Item>
                  <Form.Item
                    name={[field.name, 'threshold']}
                    label={t('tierThreshold')}
                    rules={[{ required: true }]}
                  >
                    <InputNumber<number> min={0} max={1_000_000_000} style={{ width: 160 }} />
                  </Form.Item>
                  <Form.Item
                    name={[field.name, 'multiplier']}
                    label={t('tierMultiplier')}
                    rules={[{ required: true }]}
                  >
                    <InputNumber<number> min={0} max={100} step={0.5} prefix="×" style={{ width: 110 }} />
                  </Form.Item>
                  <Form.Item>
                    <Button onClick={() => remove(field.name)}>{t('remove')}</Button>
                  </Form.Item>
                </Space>
              ))}
              <Button type="dashed" onClick={() => add({ name: '', code: '', threshold: 0, multiplier: 1 })}>
                ＋ {t('addTier')}
              </Button>
            </>
          )}
        </Form.List>
        <Space style={{ marginTop: 16, width: '100%', justifyContent: 'flex-end' }}>
          <Button onClick={props.onClose}>{t('cancel')}</Button>
          <Button type="primary" htmlType="submit" loading={save.isPending}>
            {t('save')}
          </Button>
        </Space>
      </Form>
    </Modal>
  );
}
